package dev.errand.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.aws.AwsClients;
import dev.errand.aws.Env;
import dev.errand.testkit.Provider.Reply;
import dev.errand.testkit.Provider;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/** A target removed from the targets parameter in SSM (moto) while the local runtime runs: no deploy, no restart. */
class TargetsChangeTest {

    @Test
    void aTargetRemovedFromTheParameterIsRefusedAtSubmitAndItsQueuedJobsAreDeadLetteredWithThatReason() {
        try (Provider provider = Provider.start(call -> Reply.status(200))) {
            String both = "{\"targets\":{\"crm\":{\"baseUrl\":\"" + provider.url() + "\",\"allowInsecure\":true},"
                    + "\"legacy\":{\"baseUrl\":\"" + provider.url() + "\",\"allowInsecure\":true}}}";
            String crmOnly = "{\"targets\":{\"crm\":{\"baseUrl\":\"" + provider.url() + "\",\"allowInsecure\":true}}}";
            try (LocalRuntime runtime = TestRuntime.start(both, Map.of("TargetsRefreshSeconds", "1"), LocalRuntime.Options::withTargetsInSsm);
                 SsmClient ssm = new AwsClients(new Env(runtime.awsEnvironment())).ssm()) {
                Api api = new Api(runtime.apiUrl());
                assertThat(api.post("/jobs", "{\"target\":\"legacy\",\"path\":\"/now\"}").status()).isEqualTo(202);
                String later = api.post("/jobs", "{\"target\":\"legacy\",\"path\":\"/later\",\"delaySeconds\":4}").jobId();

                // the endpoint behind "legacy" is compromised: the operator takes it out of the document, nothing else
                ssm.putParameter(b -> b.name("/errand/targets").type(ParameterType.STRING).value(crmOnly).overwrite(true));
                TestRuntime.pause(Duration.ofMillis(1500));

                Api.Answer refused = api.post("/jobs", "{\"target\":\"legacy\",\"path\":\"/after\"}");
                assertThat(refused.status()).isEqualTo(400);
                assertThat(refused.body()).contains("'legacy' is not a configured target; configured targets: crm");
                assertThat(api.post("/jobs", "{\"target\":\"crm\",\"path\":\"/still-fine\"}").status()).isEqualTo(202);
                List<Message> dead = new java.util.ArrayList<>();
                Eventually.within(Duration.ofSeconds(15), "the queued job for the removed target is dead-lettered", () -> {
                    dead.addAll(TestRuntime.drain(runtime, "DeadLetterQueue"));
                    return !dead.isEmpty();
                });
                assertThat(TestRuntime.attribute(dead.getFirst(), "errand.jobId")).contains(later);
                assertThat(TestRuntime.attribute(dead.getFirst(), "errand.reason")).contains("target 'legacy' is not configured (any more)");
                assertThat(provider.calls()).extracting(Provider.Call::path).contains("/now", "/still-fine").doesNotContain("/later", "/after");
            }
        }
    }
}
