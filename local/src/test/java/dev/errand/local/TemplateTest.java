package dev.errand.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.errand.local.template.CfnYaml;
import dev.errand.local.template.Template;
import dev.errand.local.template.TemplateChecks;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** template.yaml: cfn-lint, then the checks cfn-lint cannot make, each shown to catch a broken copy. */
class TemplateTest {

    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();
    private static final Path TEMPLATE = REPOSITORY.resolve("template.yaml");

    private static String text() throws IOException {
        return Files.readString(TEMPLATE);
    }

    private static List<String> problems(String yaml) {
        return new TemplateChecks(CfnYaml.read(new StringReader(yaml)), REPOSITORY).problems();
    }

    private static String replace(String yaml, String from, String to) {
        assertThat(yaml).as("the template still holds the text this broken copy replaces").contains(from);
        return yaml.replace(from, to);
    }

    @Test
    void cfnLintPassesTheTemplate() throws IOException, InterruptedException {
        Process lint;
        try {
            lint = new ProcessBuilder("cfn-lint", TEMPLATE.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("cfn-lint is not installed: pip install cfn-lint", e);
        }
        String output = new String(lint.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(lint.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(lint.exitValue()).as(output).isZero();
    }

    @Test
    void theTemplatePassesEveryCheck() throws IOException {
        assertThat(problems(text())).isEmpty();
    }

    @Test
    void catchesAVisibilityTimeoutBelowSixTimesTheConsumerTimeout() throws IOException {
        String broken = replace(text(), "\"60\": {QueueVisibilitySeconds: 360}", "\"60\": {QueueVisibilitySeconds: 300}");

        assertThat(problems(broken)).containsExactly(
                "JobsQueue VisibilityTimeout 300 s is less than 6 x ProcessJobsFunction's Timeout 60 s (with the defaults)");
    }

    @Test
    void catchesLargeBatchesWithoutABatchingWindow() throws IOException {
        String withoutRule = replace(text(), "Rules:\n  BatchingWindowForLargeBatches:", "Rules:\n  Unrelated:\n    Assertions: []\n  Removed:");
        String broken = replace(withoutRule, "    RuleCondition: !Not", "    RuleCondition: !Equals [\"a\", \"b\"]\n    Old: !Not");

        assertThat(problems(broken)).containsExactly("ProcessJobsFunction takes batches of 10000 with no MaximumBatchingWindowInSeconds;"
                + " SQS event sources need a window of at least 1 s above 10 (with {BatchSize=10000})");
    }

    @Test
    void theTemplatesRuleRefusesLargeBatchesWithoutAWindow() {
        assertThatThrownBy(() -> Template.read(TEMPLATE, Map.of("BatchSize", "100")))
                .hasMessageContaining("A BatchSize above 10 needs BatchingWindowSeconds of at least 1");
        assertThat(Template.read(TEMPLATE, Map.of("BatchSize", "100", "BatchingWindowSeconds", "1")).parameter("BatchSize"))
                .isEqualTo("100");
    }

    @Test
    void catchesARetentionShorterThanTheRetrySchedule() throws IOException {
        String broken = replace(text(), "      MessageRetentionPeriod: 1209600\n      SqsManagedSseEnabled: true\n      RedrivePolicy:",
                "      MessageRetentionPeriod: 345600\n      SqsManagedSseEnabled: true\n      RedrivePolicy:");

        assertThat(problems(broken)).containsExactly(
                "JobsQueue MessageRetentionPeriod 345600 s ends before 12 attempts can be made (up to 475200 s when each gap is 12 h) (with the defaults)",
                "JobsQueue MessageRetentionPeriod 345600 s ends before 28 attempts can be made (up to 1166400 s when each gap is 12 h) (with {MaxAttempts=28})");
    }

    @Test
    void catchesAHandlerClassThatIsNotInTheJar() throws IOException {
        String broken = replace(text(), "Handler: dev.errand.submit.SubmitJobFunction::handleRequest",
                "Handler: dev.errand.submit.SubmitJobHandler::handleRequest");

        assertThat(problems(broken)).contains("SubmitJobFunction Handler class dev.errand.submit.SubmitJobHandler is not in "
                + REPOSITORY.resolve("functions/submit-job/target/submit-job.jar"));
    }

    @Test
    void catchesAnEnvironmentVariableTheCodeReadsButTheTemplateDoesNotSet() throws IOException {
        String broken = replace(text(), "          ERRAND_RETRY_MAX_SECONDS: !Ref RetryMaxSeconds\n", "");

        assertThat(problems(broken)).containsExactly(
                "ProcessJobsFunction does not set ERRAND_RETRY_MAX_SECONDS, which dev.errand.process.ProcessJobsFunction reads");
    }

    @Test
    void catchesADashboardWidgetOnAMetricTheCodeDoesNotEmit() throws IOException {
        String broken = replace(text(), "MetricName=\\\"Delivered\\\"", "MetricName=\\\"Delivred\\\"");

        assertThat(problems(broken)).singleElement().asString().startsWith(
                "Dashboard widget \"Delivered per target\" names Errand metric Delivred, which the code does not emit (MetricCatalog: Submitted, Delivered,");
    }

    @Test
    void catchesADashboardWidgetReadingAMetricByOtherDimensions() throws IOException {
        String broken = replace(text(), "SEARCH('{Errand,Target} MetricName=\\\"Retried\\\"", "SEARCH('{Errand,Target,Function} MetricName=\\\"Retried\\\"");

        assertThat(problems(broken)).containsExactly(
                "Dashboard widget \"Retried per target\" reads Retried by the dimensions [Target, Function]; the code emits it with [[Target], []]");
    }

    @Test
    void catchesAnAlarmOnAnErrandMetricTheCodeDoesNotEmitOrByOtherDimensions() throws IOException {
        String unknown = replace(text(), "      Namespace: AWS/SQS\n      MetricName: ApproximateNumberOfMessagesVisible\n      Dimensions:\n        - Name: QueueName",
                "      Namespace: Errand\n      MetricName: DeadLetters\n      Dimensions:\n        - Name: Target");
        String otherDimensions = replace(text(), "      Namespace: AWS/SQS\n      MetricName: ApproximateNumberOfMessagesVisible\n      Dimensions:\n        - Name: QueueName",
                "      Namespace: Errand\n      MetricName: DeadLettered\n      Dimensions:\n        - Name: QueueName");

        assertThat(problems(unknown)).singleElement().asString().startsWith("DeadLettersAlarm names Errand metric DeadLetters, which the code does not emit");
        assertThat(problems(otherDimensions)).containsExactly(
                "DeadLettersAlarm reads DeadLettered by the dimensions [QueueName]; the code emits it with [[Target], []]");
    }

    @Test
    void catchesASchedulerRoleThatCannotSendToTheQueueJobsAreScheduledOnto() throws IOException {
        String broken = replace(text(), "                Action: sqs:SendMessage\n                Resource: !GetAtt JobsQueue.Arn",
                "                Action: sqs:SendMessage\n                Resource: !GetAtt DeadLetterQueue.Arn");

        assertThat(problems(broken)).containsExactly(
                "role SchedulerRole may not sqs:SendMessage to arn:JobsQueue, where SubmitJobFunction's schedules send jobs");
        assertThat(problems(replace(text(), "ERRAND_JOBS_QUEUE_ARN: !GetAtt JobsQueue.Arn", "ERRAND_JOBS_QUEUE_ARN: !GetAtt DeadLetterQueue.Arn")))
                .contains("SubmitJobFunction schedules jobs onto arn:DeadLetterQueue, which no function polls");
    }

    @Test
    void catchesABodyLimitThatLeavesTooLittleRoomForTheRestOfTheMessage() throws IOException {
        String broken = replace(text(), "    MaxValue: 965588\n", "    MaxValue: 983040\n");

        assertThat(problems(broken)).containsExactly("SubmitJobFunction accepts bodies of 983040 bytes: with the envelope (512), target (64),"
                + " path (2048), notify (2240), 50 headers (65836), dead-letter attributes (4096) and the consumer's fields (8192) a job can take 1066028"
                + " bytes, over SQS's 1048576 (with {MaxBodyBytes=983040})");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theBodyLimitsDefaultIsTheLargestThatAlwaysFits() throws IOException {
        var parameters = (Map<String, Object>) ((Map<String, Object>) CfnYaml.read(new StringReader(text())).get("Parameters")).get("MaxBodyBytes");

        assertThat(String.valueOf(parameters.get("Default"))).isEqualTo(String.valueOf(dev.errand.core.job.MessageBudget.LARGEST_BODY_BYTES))
                .isEqualTo(String.valueOf(parameters.get("MaxValue"))).isEqualTo("965588");
    }

    @Test
    void secretsAreReadableOnlyWhenListed() {
        var none = Template.read(TEMPLATE, Map.of()).intrinsics(dev.errand.local.template.Intrinsics.Resources.NONE);
        assertThat(none.namedCondition("ReadsSecretParameters")).isFalse();
        assertThat(none.namedCondition("ReadsSecrets")).isFalse();
        String arn = "arn:aws:ssm:us-east-1:123456789012:parameter/errand/crm-token";
        var some = Template.read(TEMPLATE, Map.of("SecretParameterArns", arn)).intrinsics(dev.errand.local.template.Intrinsics.Resources.NONE);
        assertThat(some.namedCondition("ReadsSecretParameters")).isTrue();
        assertThat(some.resolve(Map.of("Ref", "SecretParameterArns"))).isEqualTo(List.of(arn));
    }

    @Test
    void parameterOverridesAreCheckedAsCloudFormationWould() {
        assertThatThrownBy(() -> Template.read(TEMPLATE, Map.of("MaxAttempts", "0"))).hasMessageContaining("below its MinValue");
        assertThatThrownBy(() -> Template.read(TEMPLATE, Map.of("ConsumerTimeoutSeconds", "45"))).hasMessageContaining("is not one of");
        assertThatThrownBy(() -> Template.read(TEMPLATE, Map.of("MaxAtempts", "3"))).hasMessageContaining("no parameter named MaxAtempts");
    }
}
