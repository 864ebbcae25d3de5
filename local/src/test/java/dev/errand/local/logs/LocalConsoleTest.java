package dev.errand.local.logs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.core.json.Json;
import dev.errand.local.template.Template;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The local console in both formats, EMF read as CloudWatch reads it, and the template's access log format filled in. */
class LocalConsoleTest {

    private static final String ATTEMPT = "{\"timestamp\":\"2026-12-01T10:00:01.250Z\",\"level\":\"WARN\",\"message\":\"attempt\","
            + "\"jobId\":\"01a212f3-cb7b-7147-8771-c9b90d73b34c\",\"target\":\"crm\",\"attempt\":2,\"outcome\":\"retry\",\"status\":503,"
            + "\"latencyMs\":812,\"retryInSeconds\":120,\"error\":\"{\\\"error\\\":\\\"maintenance\\\"}\"}";
    private static final String EMF = "{\"_aws\":{\"Timestamp\":1795614294326,\"CloudWatchMetrics\":[{\"Namespace\":\"Errand\","
            + "\"Dimensions\":[[\"Target\"]],\"Metrics\":[{\"Name\":\"Delivered\",\"Unit\":\"Count\"},{\"Name\":\"ProviderLatency\",\"Unit\":\"Milliseconds\"}]}]},"
            + "\"Target\":\"crm\",\"Delivered\":2.0,\"ProviderLatency\":[12.0,30.0]}";

    private final List<String> printed = new ArrayList<>();
    private final List<Map<String, Object>> metrics = new ArrayList<>();

    private LocalConsole console(LocalConsole.Format format) {
        return new LocalConsole(printed::add, format, metrics::add, ZoneOffset.UTC);
    }

    @Test
    void humanLinesSayWhatHappenedAndHideMetrics() {
        PrintStream logs = console(LocalConsole.Format.HUMAN).logsOf("ProcessJobsFunction");
        logs.println(ATTEMPT);
        logs.println(EMF);
        logs.println("{\"timestamp\":\"2026-12-01T10:00:02Z\",\"level\":\"WARN\",\"message\":\"dead-lettered\",\"jobId\":\"j-1\",\"target\":\"crm\","
                + "\"attempts\":3,\"reason\":\"gave up after 3 attempts; last: HTTP 503\"}");
        logs.println("{\"timestamp\":\"2026-12-01T10:00:03Z\",\"level\":\"ERROR\",\"message\":\"dead-letter send failed\",\"jobId\":\"j-2\"}");
        logs.println("a plain line");

        assertThat(printed).containsExactly(
                "10:00:01  crm        job 01a212f3-cb7b-7147-8771-c9b90d73b34c  attempt 2  -> retry in 120 s, HTTP 503 in 812 ms: {\"error\":\"maintenance\"}",
                "10:00:02  crm        job j-1  dead-lettered after 3 attempts: gave up after 3 attempts; last: HTTP 503",
                "10:00:03  [ProcessJobsFunction] ERROR dead-letter send failed  jobId=j-2",
                "[ProcessJobsFunction] a plain line");
        assertThat(metrics).hasSize(1);
    }

    @Test
    void jsonLogsAreWhatTheFunctionPrintedMetricsIncluded() {
        LocalConsole json = console(LocalConsole.Format.JSON);
        PrintStream logs = json.logsOf("ProcessJobsFunction");
        logs.println(ATTEMPT);
        logs.println(EMF);
        json.request(Optional.of("{\"status\":\"202\"}"), Map.of("status", "202"));

        assertThat(printed).containsExactly(ATTEMPT, EMF, "{\"status\":\"202\"}");
        assertThat(metrics).hasSize(1);
    }

    @Test
    void emfBecomesOneDatumPerMetricAndDimensionSet() {
        @SuppressWarnings("unchecked")
        Map<String, Object> line = (Map<String, Object>) ((Json.Parsed.Value) Json.parse(EMF)).value();

        assertThat(Emf.data(line)).extracting(Emf.Datum::name, Emf.Datum::unit, Emf.Datum::dimensions, Emf.Datum::values).containsExactly(
                org.assertj.core.groups.Tuple.tuple("Delivered", "Count", Map.of("Target", "crm"), List.of(2.0)),
                org.assertj.core.groups.Tuple.tuple("ProviderLatency", "Milliseconds", Map.of("Target", "crm"), List.of(12.0, 30.0)));
        assertThat(Emf.data(Map.of("message", "attempt"))).isEmpty();
    }

    @Test
    void theTemplatesAccessLogFormatIsFilledInAsApiGatewayWouldAndStaysJson() {
        Template template = Template.read(Path.of("../template.yaml"), Map.of());
        var intrinsics = template.intrinsics(dev.errand.local.template.Intrinsics.Resources.NONE);
        @SuppressWarnings("unchecked")
        Map<String, Object> settings = (Map<String, Object>) template.properties("JobsApiStage").get("AccessLogSettings");
        AccessLogFormat format = new AccessLogFormat(intrinsics.text(settings.get("Format")));
        Map<String, String> context = new LinkedHashMap<>();
        context.put("requestId", "r-1");
        context.put("routeKey", "POST /jobs");
        context.put("status", "202");
        context.put("responseLatency", "14");
        context.put("identity.userAgent", "curl/8 \"quoted\"");

        @SuppressWarnings("unchecked")
        Map<String, Object> entry = (Map<String, Object>) ((Json.Parsed.Value) Json.parse(format.render(context))).value();

        assertThat(entry).containsEntry("requestId", "r-1").containsEntry("routeKey", "POST /jobs").containsEntry("status", "202")
                .containsEntry("responseLatency", "14").containsEntry("userAgent", "curl/8 \"quoted\"")
                .as("the IAM caller is not known locally, and API Gateway writes - for what it lacks").containsEntry("caller", "-")
                .containsKeys("requestTime", "integrationLatency", "sourceIp", "userArn", "error");
    }
}
