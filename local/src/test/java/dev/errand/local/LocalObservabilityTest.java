package dev.errand.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.aws.AwsClients;
import dev.errand.aws.CloudWatchJson;
import dev.errand.aws.Env;
import dev.errand.testkit.Provider;
import dev.errand.testkit.Provider.Reply;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * What the local runtime shows: readable lines on its console, the functions' metrics in local CloudWatch
 * and the targets document in local SSM (as the operator console reads them on AWS), and the API stand-in
 * answering as API Gateway does at its header quota and with a 207.
 */
class LocalObservabilityTest {

    private static final List<String> console = new CopyOnWriteArrayList<>();
    private static Provider provider;
    private static LocalRuntime runtime;
    private static String targets;

    @BeforeAll
    static void start() {
        provider = Provider.start(call -> Reply.status(call.path().startsWith("/status/") ? Integer.parseInt(call.path().substring(8, 11)) : 200));
        targets = "{\"targets\":{\"crm\":{\"baseUrl\":\"" + provider.url() + "\",\"allowInsecure\":true}}}";
        runtime = LocalRuntime.start(LocalRuntime.Options.forTests(Path.of("../template.yaml"), targets)
                .withParameters(Map.of("MaxAttempts", "1"))
                .withConsole(console::add)
                .withMetrics(true));
    }

    @AfterAll
    static void stop() {
        runtime.close();
        provider.close();
    }

    @Test
    void theConsoleShowsOneReadableLinePerRequestAndAttemptAndNoJson() {
        Api api = new Api(runtime.apiUrl());
        String delivered = api.post("/jobs", "{\"target\":\"crm\",\"path\":\"/status/200\"}").jobId();
        String refused = api.post("/jobs", "{\"target\":\"crm\",\"path\":\"/status/400\"}").jobId();

        Eventually.within(Duration.ofSeconds(15), "both jobs on the console", () -> console.stream().anyMatch(l -> l.contains(refused) && l.contains("dead-lettered")));

        assertThat(console).anyMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d  api  POST /jobs -> 202 \\(\\d+ ms\\)"));
        assertThat(console).anyMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d  crm        job " + delivered + "  attempt 1  -> delivered, HTTP 200 in \\d+ ms"));
        assertThat(console).anyMatch(l -> l.contains("job " + refused + "  attempt 1  -> to the dead-letter queue, HTTP 400 in ") && l.endsWith(": {\"status\":400}"));
        assertThat(console).anyMatch(l -> l.contains("job " + refused + "  dead-lettered after 1 attempts: HTTP 400"));
        assertThat(console).as("no JSON or EMF lines in the readable console").noneMatch(l -> l.startsWith("{"));
    }

    @Test
    void theFunctionsMetricsReachLocalCloudWatchAndTheTargetsDocumentLocalSsm() {
        Api api = new Api(runtime.apiUrl());
        Instant before = Instant.now().minusSeconds(60);
        String job = api.post("/jobs", "{\"target\":\"crm\",\"path\":\"/status/204\"}").jobId();
        Eventually.within(Duration.ofSeconds(10), "the call", () -> provider.callsFor(job).size() == 1);

        URI moto = runtime.motoEndpoint().orElseThrow();
        AwsClients aws = new AwsClients(new Env(runtime.awsEnvironment()));
        try (CloudWatchJson cloudWatch = CloudWatchJson.of(aws, Clock.systemUTC()); SsmClient ssm = aws.ssm()) {
            assertThat(cloudWatch.endpoint()).isEqualTo(moto);
            Eventually.within(Duration.ofSeconds(15), "Submitted and Delivered for crm in local CloudWatch",
                    () -> sum(cloudWatch, "Submitted", before) >= 1 && sum(cloudWatch, "Delivered", before) >= 1);
            List<?> listed = (List<?>) ((CloudWatchJson.Reply.Ok) cloudWatch.call("ListMetrics", Map.of("Namespace", "Errand"))).body().get("Metrics");
            assertThat(listed.stream().map(m -> String.valueOf(((Map<?, ?>) m).get("MetricName")))).contains("Submitted", "Delivered", "Retried", "DeadLettered", "ProviderLatency");
            assertThat(listed).as("per target, or the total an alarm watches").allSatisfy(m -> assertThat(((Map<?, ?>) m).get("Dimensions"))
                    .isIn(List.of(Map.of("Name", "Target", "Value", "crm")), List.of()));
            assertThat(listed.stream().filter(m -> !((List<?>) ((Map<?, ?>) m).get("Dimensions")).isEmpty())
                    .map(m -> String.valueOf(((Map<?, ?>) m).get("MetricName")))).contains("Submitted", "Delivered", "Retried", "DeadLettered", "ProviderLatency");

            assertThat(ssm.getParameter(b -> b.name("/errand/targets")).parameter().value()).isEqualTo(targets);
        }
    }

    private static double sum(CloudWatchJson cloudWatch, String metric, Instant from) {
        Map<String, Object> query = Map.of("Id", "m", "MetricStat", Map.of("Period", 3600, "Stat", "Sum",
                "Metric", Map.of("Namespace", "Errand", "MetricName", metric, "Dimensions", List.of(Map.of("Name", "Target", "Value", "crm")))));
        CloudWatchJson.Reply reply = cloudWatch.call("GetMetricData", Map.of("StartTime", from.getEpochSecond(),
                "EndTime", Instant.now().plusSeconds(60).getEpochSecond(), "MetricDataQueries", List.of(query)));
        assertThat(reply).isInstanceOf(CloudWatchJson.Reply.Ok.class);
        List<?> results = (List<?>) ((CloudWatchJson.Reply.Ok) reply).body().get("MetricDataResults");
        return results.stream().flatMap(r -> ((List<?>) ((Map<?, ?>) r).get("Values")).stream()).mapToDouble(v -> ((Number) v).doubleValue()).sum();
    }

    @Test
    void theApiAnswers431PastApiGatewaysHeaderQuotaAndTakesManySmallHeaders() throws IOException {
        String job = "{\"target\":\"crm\",\"path\":\"/status/200\"}";
        StringBuilder small = new StringBuilder();
        for (int i = 0; i < 250; i++) {
            small.append("X-Small-").append(i).append(": v\r\n");
        }
        StringBuilder large = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            large.append("X-Large-").append(i).append(": ").append("v".repeat(40)).append("\r\n");
        }

        assertThat(statusLine(post("/jobs", small.toString(), job))).isEqualTo("HTTP/1.1 202 Accepted");
        assertThat(statusLine(post("/jobs", large.toString(), job))).isEqualTo("HTTP/1.1 431 Request Header Fields Too Large");
    }

    @Test
    void aBatchWithSomeJobsRefusedIs207MultiStatus() throws IOException {
        String batch = "{\"jobs\":[{\"target\":\"crm\",\"path\":\"/status/200\"},{\"target\":\"nope\"}]}";

        assertThat(statusLine(post("/jobs/batch", "", batch))).isEqualTo("HTTP/1.1 207 Multi-Status");
    }

    private static String post(String path, String headers, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nConnection: close\r\n" + headers
                + "Content-Length: " + bytes.length + "\r\n\r\n" + body;
    }

    /** Sends a request as written, on a socket of its own; answers the status line. */
    private static String statusLine(String request) throws IOException {
        try (Socket socket = new Socket(runtime.apiUrl().getHost(), runtime.apiUrl().getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1)).readLine();
        }
    }
}
