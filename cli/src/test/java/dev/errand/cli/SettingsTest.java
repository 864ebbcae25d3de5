package dev.errand.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Where the CLI finds Errand: a missing setting is named with the ways to give it; --stack reads the stack's outputs. */
class SettingsTest extends WithLocalErrand {

    private static final Map<String, String> CREDENTIALS = Map.of("AWS_ACCESS_KEY_ID", "x", "AWS_SECRET_ACCESS_KEY", "x", "AWS_REGION", "us-east-1");

    private static LocalErrand.Run run(Map<String, String> env, String... args) {
        return LocalErrand.bare(new Context(env, Clock.systemUTC(), new StopSignal(), false), List.of(args));
    }

    @Test
    void aMissingOrWrongSettingStopsWithCodeTwoAndSaysHowToGiveIt() {
        LocalErrand.Run noQueue = run(CREDENTIALS, "dlq", "list");
        assertThat(noQueue.code()).isEqualTo(Errand.SETUP);
        assertThat(noQueue.err()).contains("the dead-letter queue", "--dlq", "ERRAND_DEAD_LETTER_QUEUE_URL", "--stack", "--local");

        assertThat(run(CREDENTIALS, "dlq", "redrive").err()).contains("name the jobs to redrive, or give --all");
        assertThat(run(CREDENTIALS, "dlq", "redrive", "--all", "01a212e0-3f05-7942-80a2-c34293387a05").code()).isEqualTo(Errand.SETUP);
        assertThat(run(CREDENTIALS, "dlq", "redrive", "order-17").err()).contains("'order-17' is not a job id");
        assertThat(run(CREDENTIALS, "dlq", "redrive", "--all", "--rate", "0").err()).contains("--rate takes jobs per second");
        assertThat(run(CREDENTIALS, "dlq", "redrive", "--all", "--hold-seconds", "1").err()).contains("--hold-seconds takes 15 to 43200");
        assertThat(run(CREDENTIALS, "dlq", "list", "--limit", "0").err()).contains("--limit takes 1 or more");
        assertThat(run(CREDENTIALS, "status").code()).as("picocli's own usage error").isEqualTo(Errand.SETUP);
        LocalErrand.Run noTable = run(CREDENTIALS, "targets", "list");
        assertThat(noTable.code()).isEqualTo(Errand.SETUP);
        assertThat(noTable.err()).contains("the target state table", "--target-state-table", "ERRAND_TARGET_STATE_TABLE", "--stack",
                "TargetStateTableName", "--local");
        assertThat(run(CREDENTIALS, "targets", "pause", "crm").code()).isEqualTo(Errand.SETUP);
    }

    @Test
    void anSqsEndpointOnThisMachineIsTheLocalRuntimeWhoseQueueNamesAreTheDefaults() {
        String job = errand.submit("{\"target\":\"crm\",\"path\":\"/status/400\"}");
        LocalErrand.within(Duration.ofSeconds(20), "dead-lettered", () -> errand.peek(errand.deadLetterQueue()).size() == 1);

        LocalErrand.Run list = run(Map.of(), "dlq", "list", "--endpoint-url", errand.runtime.sqsEndpoint().toString());

        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out()).contains(job, "HTTP 400");
    }

    @Test
    void withStackTheQueuesComeFromTheStacksOutputs() {
        // the local runtime's moto serves CloudFormation and SQS too
        URI endpoint = errand.runtime.motoEndpoint().orElseThrow();
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x"));
        try (CloudFormationClient cloudFormation = CloudFormationClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
             SqsClient sqs = SqsClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                     .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build()) {
            cloudFormation.createStack(b -> b.stackName("errand-test").templateBody("""
                    {"Resources": {"JobsQueue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "stack-jobs"}},
                                   "DeadLetterQueue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "stack-dlq"}}},
                     "Outputs": {"JobsQueueUrl": {"Value": {"Ref": "JobsQueue"}},
                                 "DeadLetterQueueUrl": {"Value": {"Ref": "DeadLetterQueue"}}}}"""));
            String dlq = sqs.getQueueUrl(b -> b.queueName("stack-dlq")).queueUrl();
            sqs.sendMessage(b -> b.queueUrl(dlq).messageBody("{\"v\":1,\"jobId\":\"01a212e0-3f05-7942-80a2-c34293387a08\"}"));

            LocalErrand.Run list = run(CREDENTIALS, "dlq", "list", "--stack", "errand-test", "--endpoint-url", endpoint.toString());

            assertThat(list.code()).as(list.err()).isZero();
            assertThat(list.out()).contains("01a212e0-3f05-7942-80a2-c34293387a08", "1 shown");
            assertThat(run(CREDENTIALS, "dlq", "list", "--stack", "no-such-stack", "--endpoint-url", endpoint.toString()).err())
                    .contains("could not read the outputs of stack no-such-stack");
        }
    }
}
