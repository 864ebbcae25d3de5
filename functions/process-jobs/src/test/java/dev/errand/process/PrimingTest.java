package dev.errand.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.aws.Env;
import dev.errand.testkit.Moto;
import dev.errand.testkit.Sqs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** SnapStart priming (the CRaC beforeCheckpoint hook) warms the consumer without sending, writing or calling anything. */
class PrimingTest {

    @Test
    void primingTouchesNothing() {
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        try (Sqs sqs = Sqs.start(); Moto moto = Moto.start(); DynamoDbClient dynamo = moto.dynamoDb()) {
            dynamo.createTable(b -> b.tableName("jobs").billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
                    .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH)));
            String jobs = sqs.createQueue("jobs", Map.of());
            String dead = sqs.createQueue("dead", Map.of());
            Map<String, String> env = new HashMap<>(sqs.environment());
            env.putAll(Map.of("AWS_ENDPOINT_URL_DYNAMODB", moto.environment().get("AWS_ENDPOINT_URL_DYNAMODB")));
            env.put(Env.JOBS_QUEUE_URL, jobs);
            env.put(Env.DEAD_LETTER_QUEUE_URL, dead);
            env.put(Env.JOBS_TABLE, "jobs");
            env.put(Env.TARGETS, "{\"targets\":{\"crm\":{\"baseUrl\":\"https://crm.example.com\"}}}");
            ProcessJobsFunction function = new ProcessJobsFunction(new Env(env), () -> 1.0, new PrintStream(logs, true, StandardCharsets.UTF_8));

            function.prime();

            assertThat(sqs.depth(jobs)).isZero();
            assertThat(sqs.depth(dead)).isZero();
            assertThat(dynamo.scan(b -> b.tableName("jobs")).items()).isEmpty();
            assertThat(logs.toString(StandardCharsets.UTF_8)).isEmpty();
        }
    }
}
