package dev.errand.aws;

import dev.errand.core.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * CloudWatch over its AWS JSON 1.0 protocol, signed with the SDK's SigV4 signer: for the operator console
 * (GetMetricData, ListMetrics) and the local runtime (PutMetricData). Not the SDK's CloudWatchClient, which
 * speaks only Smithy RPC v2 CBOR since 2.3x, a protocol moto (the local stand-in) does not serve; CloudWatch
 * serves JSON, CBOR and Query alike, so this one client runs the same way on AWS and locally.
 */
public final class CloudWatchJson implements AutoCloseable {

    static final String SERVICE = "monitoring";
    /** The JSON protocol's target prefix: CloudWatch's service name in its API model. */
    static final String TARGET_PREFIX = "GraniteServiceVersion20100801.";
    /** As the SDK clients' own timeout: a CloudWatch call that has not answered in this is failing. */
    static final Duration TIMEOUT = AwsClients.API_CALL_TIMEOUT.multipliedBy(2);
    /** An error answer that is not CloudWatch's JSON is quoted this far: enough to recognise it. */
    static final int QUOTED_ERROR_CHARS = 200;
    /** Headers the JDK client sets itself and refuses from callers; the signature covers the same values. */
    private static final Set<String> SET_BY_CLIENT = Set.of("host", "content-length");

    /** What came back: the answer's JSON, or why there is none (CloudWatch's error type and message, or the transport's). */
    public sealed interface Reply {
        record Ok(Map<String, Object> body) implements Reply {}

        record Failed(int status, String type, String message) implements Reply {}
    }

    private final URI endpoint;
    private final SigV4 signer;
    private final HttpClient http;

    public CloudWatchJson(URI endpoint, SigV4 signer) {
        this.endpoint = endpoint;
        this.signer = signer;
        this.http = HttpClient.newBuilder().connectTimeout(AwsClients.CONNECT_TIMEOUT).build();
    }

    /** CloudWatch where the environment says (AWS_ENDPOINT_URL_CLOUDWATCH, an emulator), else the region's own. */
    public static CloudWatchJson of(AwsClients aws, Clock clock) {
        URI endpoint = aws.endpoint("CLOUDWATCH").orElseGet(() -> URI.create("https://monitoring." + aws.region().id() + ".amazonaws.com"));
        return new CloudWatchJson(endpoint, new SigV4(aws.credentials(), aws.region(), clock, SERVICE));
    }

    public URI endpoint() {
        return endpoint;
    }

    /** One API call: {@code action} as the API names it (GetMetricData), the request as its JSON shape. */
    public Reply call(String action, Map<String, Object> request) {
        byte[] body = Json.write(request).getBytes(StandardCharsets.UTF_8);
        URI uri = endpoint.resolve("/");
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/x-amz-json-1.0");
        headers.put("X-Amz-Target", TARGET_PREFIX + action);
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(TIMEOUT).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        signer.sign("POST", uri, headers, body).forEach((name, values) -> {
            if (!SET_BY_CLIENT.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(v -> builder.header(name, v));
            }
        });
        try {
            HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            Map<String, Object> answer = object(response.body());
            if (response.statusCode() / 100 == 2) {
                return new Reply.Ok(answer);
            }
            String type = String.valueOf(answer.getOrDefault("__type", "HTTP " + response.statusCode()));
            return new Reply.Failed(response.statusCode(), type.substring(type.lastIndexOf('#') + 1),
                    String.valueOf(answer.getOrDefault("message", answer.getOrDefault("Message", cut(response.body())))));
        } catch (IOException e) {
            return new Reply.Failed(0, "Unreachable", "CloudWatch at " + endpoint + " did not answer: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply.Failed(0, "Interrupted", "interrupted");
        }
    }

    /** Puts data points: each a PutMetricData MetricDatum in its JSON shape (at most 1,000 a call). */
    public Reply putMetricData(String namespace, List<Map<String, Object>> data) {
        return call("PutMetricData", Map.of("Namespace", namespace, "MetricData", data));
    }

    @Override
    public void close() {
        http.close();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(String text) {
        return Json.parse(text) instanceof Json.Parsed.Value v && v.value() instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static String cut(String text) {
        return text.length() <= QUOTED_ERROR_CHARS ? text : text.substring(0, QUOTED_ERROR_CHARS) + "...";
    }
}
