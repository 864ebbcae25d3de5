package dev.errand.submit;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import dev.errand.aws.Env;
import dev.errand.core.job.Envelope;
import dev.errand.core.json.Json;
import dev.errand.emulators.ElasticMq;
import dev.errand.testkit.Moto;
import dev.errand.testkit.Ports;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The write order that loses nothing: the record is written before the message is sent. With SQS down the
 * caller gets 503; the same request with the same key, once SQS is back, finishes that job, exactly once.
 */
class SendFailureTest {

    @Test
    void aRetryWithTheSameKeyFinishesTheJobAfterTheQueueWasDown() {
        int sqsPort = Ports.closed();
        try (Moto moto = Moto.start(); DynamoDbClient dynamo = moto.dynamoDb()) {
            SubmitJobFunction function = new SubmitJobFunction(environment(moto, dynamo, sqsPort));

            APIGatewayV2HTTPResponse whileDown = post(function, "retry-me");

            assertThat(whileDown.getStatusCode()).isEqualTo(503);
            assertThat(whileDown.getHeaders()).containsKey("Retry-After");
            assertThat(whileDown.getBody()).doesNotContain("jobId");
            assertThat(dynamo.scan(b -> b.tableName("jobs")).items()).as("the record and key were written first").hasSize(2);

            try (ElasticMq sqs = ElasticMq.start("127.0.0.1", sqsPort); SqsClient client = client(sqs)) {
                String queue = client.createQueue(b -> b.queueName("jobs")).queueUrl();

                APIGatewayV2HTTPResponse afterwards = post(function, "retry-me");
                APIGatewayV2HTTPResponse onceMore = post(function, "retry-me");

                assertThat(afterwards.getStatusCode()).isEqualTo(202);
                String jobId = (String) json(afterwards).get("jobId");
                assertThat(onceMore.getStatusCode()).isEqualTo(202);
                assertThat(json(onceMore)).containsEntry("jobId", jobId);
                List<Message> messages = client.receiveMessage(b -> b.queueUrl(queue).maxNumberOfMessages(10).waitTimeSeconds(1)).messages();
                assertThat(messages).hasSize(1);
                assertThat(((Envelope.Decoded.Readable) Envelope.decode(messages.getFirst().body())).job().id().value()).isEqualTo(jobId);
            }
        }
    }

    @Test
    void withoutAKeyAnUnsentJobLeavesNoRecord() {
        int sqsPort = Ports.closed();
        try (Moto moto = Moto.start(); DynamoDbClient dynamo = moto.dynamoDb()) {
            APIGatewayV2HTTPResponse response = post(new SubmitJobFunction(environment(moto, dynamo, sqsPort)), "");

            assertThat(response.getStatusCode()).isEqualTo(503);
            assertThat(dynamo.scan(b -> b.tableName("jobs")).items()).isEmpty();
        }
    }

    /** A jobs table in moto, and SQS expected on a port where nothing listens yet. */
    private static Env environment(Moto moto, DynamoDbClient dynamo, int sqsPort) {
        dynamo.createTable(b -> b.tableName("jobs").billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH)));
        Map<String, String> env = new HashMap<>(moto.environment());
        env.put("AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:" + sqsPort);
        env.put(Env.JOBS_QUEUE_URL, "http://127.0.0.1:" + sqsPort + "/000000000000/jobs");
        env.put(Env.JOBS_TABLE, "jobs");
        env.put(Env.TARGETS, "{\"targets\":{\"crm\":{\"baseUrl\":\"https://crm.example.com\"}}}");
        return new Env(env);
    }

    private static APIGatewayV2HTTPResponse post(SubmitJobFunction function, String key) {
        APIGatewayV2HTTPEvent event = EventLoader.loadApiGatewayHttpEvent("../../events/submit-job.json");
        event.setBody("{\"target\":\"crm\",\"path\":\"/contacts\",\"body\":{\"n\":1}}");
        Map<String, String> headers = new HashMap<>(event.getHeaders());
        if (!key.isEmpty()) {
            headers.put("idempotency-key", key);
        }
        event.setHeaders(headers);
        return function.handleRequest(event, null);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(APIGatewayV2HTTPResponse r) {
        return (Map<String, Object>) ((Json.Parsed.Value) Json.parse(r.getBody())).value();
    }

    private static SqsClient client(ElasticMq sqs) {
        return SqsClient.builder().endpointOverride(sqs.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }
}
