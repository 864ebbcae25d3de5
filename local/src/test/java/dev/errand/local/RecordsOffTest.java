package dev.errand.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.testkit.Provider.Reply;
import dev.errand.testkit.Provider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Without moto, or with JobRecords=Disabled, there is no table and no GET route, and everything else works. */
class RecordsOffTest {

    @Test
    void withoutMotoTheRuntimeStartsWithRecordsOffAndSaysSoInOneLine() {
        List<String> console = new CopyOnWriteArrayList<>();
        try (Provider provider = Provider.start(call -> Reply.status(200));
             LocalRuntime runtime = LocalRuntime.start(LocalRuntime.Options.forTests(Path.of("../template.yaml"),
                             "{\"targets\":{\"crm\":{\"baseUrl\":\"" + provider.url() + "\",\"allowInsecure\":true}}}")
                     .withConsole(console::add)
                     .withMotoProblem(() -> Optional.of("python3 cannot import moto.server")))) {
            Api api = new Api(runtime.apiUrl());

            Api.Answer submitted = api.post("/jobs", "{\"target\":\"crm\",\"path\":\"/x\"}");
            Eventually.within(Duration.ofSeconds(10), "delivery", () -> provider.callsFor(submitted.jobId()).size() == 1);

            assertThat(console).filteredOn(l -> l.startsWith("Job records and fleet-wide target control are off")).singleElement().asString()
                    .contains("python3 cannot import moto.server", "pip install \"moto[server]\"");
            assertThat(submitted.status()).isEqualTo(202);
            assertThat(runtime.template().parameter("JobRecords")).isEqualTo("Disabled");
            assertThat(runtime.motoEndpoint()).isEmpty();
            assertThat(api.get("/jobs/" + submitted.jobId()).status()).as("no GET route without records").isEqualTo(404);
            assertThat(api.get("/jobs/" + submitted.jobId()).body()).isEqualTo("{\"message\":\"Not Found\"}");
        }
    }

    @Test
    void theTemplateParameterTurnsRecordsOffWithMotoAvailable() {
        try (Provider provider = Provider.start(call -> Reply.status(200));
             LocalRuntime runtime = TestRuntime.start("{\"targets\":{\"crm\":{\"baseUrl\":\"" + provider.url() + "\",\"allowInsecure\":true}}}",
                     Map.of("JobRecords", "Disabled"))) {
            Api api = new Api(runtime.apiUrl());

            Api.Answer submitted = api.post("/jobs", "{\"target\":\"crm\"}");
            Eventually.within(Duration.ofSeconds(10), "delivery", () -> provider.callsFor(submitted.jobId()).size() == 1);

            assertThat(runtime.template().resources("AWS::DynamoDB::Table")).as("the target state table stays").containsOnlyKeys("TargetStateTable");
            assertThat(runtime.template().resources("AWS::Serverless::Function")).doesNotContainKey("JobStatusFunction");
            assertThat(runtime.table("JobsTable")).isEmpty();
            assertThat(api.get("/jobs/" + submitted.jobId()).status()).isEqualTo(404);

            for (Api.Answer refused : List.of(api.delete("/jobs/" + submitted.jobId()), api.get("/jobs?status=dead"))) {
                assertThat(refused.status()).as("cancel and search need records").isEqualTo(501);
                assertThat(refused.header("content-type")).isEqualTo("application/problem+json");
                assertThat(refused.json()).containsEntry("type", "urn:errand:problem:records-required");
                assertThat((String) refused.json().get("detail")).contains("JobRecords=Enabled");
            }
            Api.Answer notify = api.post("/jobs", "{\"target\":\"crm\",\"notify\":{\"target\":\"crm\"}}");
            assertThat(notify.status()).isEqualTo(400);
            assertThat(notify.json().get("errors").toString()).contains("/notify", "needs job records");
            Api.Answer later = api.post("/jobs", "{\"target\":\"crm\",\"delaySeconds\":1}");
            assertThat(later.status()).as("running later needs no record").isEqualTo(202);
            assertThat(later.json()).containsEntry("status", "scheduled");
            Eventually.within(Duration.ofSeconds(10), "the delayed job", () -> provider.callsFor(later.jobId()).size() == 1);
        }
    }
}
