package dev.errand.submit;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import dev.errand.aws.Env;
import dev.errand.core.json.Json;
import dev.errand.testkit.Moto;
import dev.errand.testkit.Sqs;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** GET /jobs/{jobId} through the handler, from the sample event, against a jobs table in moto. */
class JobStatusFunctionTest {

    private static Sqs sqs;
    private static Moto moto;
    private static SubmitJobFunction submit;
    private static JobStatusFunction status;

    @BeforeAll
    static void start() {
        sqs = Sqs.start();
        moto = Moto.start();
        try (DynamoDbClient dynamo = moto.dynamoDb()) {
            dynamo.createTable(b -> b.tableName("jobs").billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
                    .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH)));
        }
        Map<String, String> env = new HashMap<>(moto.environment());
        env.putAll(sqs.environment());
        env.put(Env.JOBS_QUEUE_URL, sqs.createQueue("jobs", Map.of()));
        env.put(Env.JOBS_TABLE, "jobs");
        env.put(Env.TARGETS, "{\"targets\":{\"demo\":{\"baseUrl\":\"https://api.example.com\"}}}");
        submit = new SubmitJobFunction(new Env(env));
        // what the template gives this function: the table, and no queue
        Map<String, String> statusEnv = new HashMap<>(moto.environment());
        statusEnv.put(Env.JOBS_TABLE, "jobs");
        status = new JobStatusFunction(new Env(statusEnv));
    }

    @AfterAll
    static void stop() {
        moto.close();
        sqs.close();
    }

    private static APIGatewayV2HTTPResponse get(String jobId) {
        APIGatewayV2HTTPEvent event = EventLoader.loadApiGatewayHttpEvent("../../events/job-status.json");
        event.setPathParameters(Map.of("jobId", jobId));
        return status.handleRequest(event, null);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(APIGatewayV2HTTPResponse r) {
        return (Map<String, Object>) ((Json.Parsed.Value) Json.parse(r.getBody())).value();
    }

    @Test
    void aSubmittedJobIsQueuedWithItsRecordButNeitherItsBodyNorItsHeaders() {
        APIGatewayV2HTTPEvent post = EventLoader.loadApiGatewayHttpEvent("../../events/submit-job.json");
        post.setBody("{\"target\":\"demo\",\"path\":\"/signup\",\"headers\":{\"X-Tenant\":\"tenant-secret\"},\"body\":{\"email\":\"ada@example.com\"}}");
        String jobId = (String) json(submit.handleRequest(post, null)).get("jobId");

        APIGatewayV2HTTPResponse response = get(jobId);

        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(json(response)).containsEntry("jobId", jobId).containsEntry("status", "queued")
                .containsEntry("target", "demo").containsEntry("path", "/signup").containsEntry("attempts", 0);
        assertThat(response.getBody()).doesNotContain("ada@example.com", "tenant-secret");
    }

    @Test
    void theSampleEventsJobIsUnknownHere() {
        APIGatewayV2HTTPResponse response = status.handleRequest(
                EventLoader.loadApiGatewayHttpEvent("../../events/job-status.json"), null);

        assertThat(response.getStatusCode()).isEqualTo(404);
        assertThat(response.getHeaders()).containsEntry("Content-Type", "application/problem+json");
    }

    @Test
    void somethingThatIsNotAJobIdIsAClearBadRequest() {
        APIGatewayV2HTTPResponse response = get("../../etc/passwd");

        assertThat(response.getStatusCode()).isEqualTo(400);
        assertThat(response.getBody()).contains("not a job id");
    }
}
