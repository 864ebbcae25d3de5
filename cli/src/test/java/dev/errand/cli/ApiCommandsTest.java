package dev.errand.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.testkit.Provider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;

/** errand submit and errand status: through the local runtime's API, and signed with SigV4 as on AWS. */
class ApiCommandsTest extends WithLocalErrand {


    @Test
    void submitAndStatusWorkTheApiFromTheTerminal(@TempDir Path dir) throws Exception {
        Path body = Files.writeString(dir.resolve("body.json"), "{\"order\":\"body-mark-7\",\"total\":12.50}");

        LocalErrand.Run submitted = errand.cli("submit", "-t", "crm", "-p", "/orders", "--body-file", body.toString(),
                "-H", "X-Tenant: 42", "--idempotency-key", "order-7");

        assertThat(submitted.code()).as(submitted.out() + submitted.err()).isZero();
        Map<String, Object> answer = LocalErrand.json(submitted.out());
        String jobId = (String) answer.get("jobId");
        assertThat(answer).containsEntry("status", "queued").containsEntry("target", "crm");
        LocalErrand.within(Duration.ofSeconds(10), "delivered", () -> errand.callsFor(jobId) == 1);
        Provider.Call call = errand.provider.callsFor(jobId).getFirst();
        assertThat(call.path()).isEqualTo("/orders");
        assertThat(call.body()).contains("body-mark-7", "12.50");
        assertThat(call.header("x-tenant")).contains("42");

        LocalErrand.within(Duration.ofSeconds(10), "its record says succeeded",
                () -> LocalErrand.json(errand.cli("status", jobId).out()).get("status").equals("succeeded"));
        LocalErrand.Run status = errand.cli("status", jobId);
        assertThat(status.code()).isZero();
        assertThat(LocalErrand.json(status.out())).containsEntry("attempts", 1).containsEntry("lastStatusCode", 200)
                .containsEntry("path", "/orders");
        LocalErrand.Run again = errand.cli("submit", "-t", "crm", "-p", "/orders", "--body-file", body.toString(),
                "-H", "X-Tenant: 42", "--idempotency-key", "order-7");
        assertThat(LocalErrand.json(again.out())).as("the same key: the same job").containsEntry("jobId", jobId);
    }

    @Test
    void cancelStopsAJobForLaterAndJobsListSearchesByStatusAndTarget() {
        String later = (String) LocalErrand.json(errand.cli("submit", "-t", "crm", "-p", "/later", "--delay", "120").out()).get("jobId");
        String other = (String) LocalErrand.json(errand.cli("submit", "-t", "crm", "-p", "/later", "--delay", "120").out()).get("jobId");
        LocalErrand.Run cancelled = errand.cli("cancel", later, other);
        assertThat(cancelled.code()).as(cancelled.err()).isZero();
        assertThat(cancelled.out()).contains("\"status\" : \"cancelled\"");
        assertThat(errand.record(later)).containsEntry("status", "cancelled");
        assertThat(errand.record(other)).containsEntry("status", "cancelled");

        List<String> failed = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            failed.add(errand.submit("{\"target\":\"crm\",\"path\":\"/status/404/list-" + i + "\"}"));
        }
        LocalErrand.within(Duration.ofSeconds(15), "failed", () -> failed.stream().allMatch(id -> errand.record(id).get("status").equals("failed")));
        LocalErrand.Run listed = errand.cli("jobs", "list", "--status", "failed", "--target", "crm", "--limit", "2", "--all", "--json");
        assertThat(listed.code()).as(listed.err()).isZero();
        assertThat(listed.out()).contains(failed.get(0), failed.get(1), failed.get(2)).doesNotContain(later);
        LocalErrand.Run table = errand.cli("jobs", "list", "--status", "cancelled", "--target", "crm");
        assertThat(table.out()).contains("JOB ID", later, other, "cancelled");

        LocalErrand.Run over = errand.cli("cancel", failed.getFirst());
        assertThat(over.code()).isEqualTo(Errand.FAILED);
        assertThat(over.err()).contains("the API answered 409");
        assertThat(errand.cli("jobs", "list", "--status", "gone").out()).contains("/status", "must be one of");
        assertThat(errand.cli("cancel", "not-a-job").code()).isEqualTo(Errand.SETUP);
    }

    @Test
    void whatTheApiRefusesIsShownAndFailsTheCommand() {
        LocalErrand.Run refused = errand.cli("submit", "-t", "nope", "-X", "FETCH", "--body", "{\"a\":1}");
        assertThat(refused.code()).isEqualTo(Errand.FAILED);
        assertThat(refused.out()).contains("'nope' is not a configured target", "must be one of [GET, POST, PUT, PATCH, DELETE]");
        assertThat(refused.err()).contains("the API answered 400");

        LocalErrand.Run unknown = errand.cli("status", "01a212e0-3f05-7942-80a2-c34293387a07");
        assertThat(unknown.code()).isEqualTo(Errand.FAILED);
        assertThat(unknown.err()).contains("the API answered 404", "no such job");

        LocalErrand.Run notJson = errand.cli("submit", "-t", "crm", "--body", "{not json");
        assertThat(notJson.code()).isEqualTo(Errand.SETUP);
        assertThat(notJson.err()).contains("the body is not JSON");
        assertThat(errand.cli("status", "not-a-job-id").err()).contains("'not-a-job-id' is not a job id");
    }

    @Test
    void onAwsApiCallsCarryASigV4SignatureForExecuteApiThatCoversWhatWasSent() {
        // HTTP/1.1, so the Host header the signature covers arrives as a header (over HTTP/2 it is the :authority)
        Provider gateway = Provider.start(Provider.Options.HTTPS.http11Only(),
                c -> Provider.Reply.status(202).withBody("{\"jobId\":\"j\",\"status\":\"queued\"}"));
        Clock clock = Clock.fixed(Instant.parse("2026-11-25T10:00:00Z"), ZoneOffset.UTC);
        Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY", "secret-example",
                "AWS_SESSION_TOKEN", "session-token-1");
        try (gateway) {
            LocalErrand.Run run = LocalErrand.bare(new Context(env, clock, new StopSignal(), false), List.of("submit", "-t", "crm",
                    "-p", "/x", "--body", "{\"a\":1}", "--api-url", gateway.url().toString(), "--api-auth", "iam", "--region", "eu-west-1"));
            LocalErrand.Run local = LocalErrand.bare(new Context(env, clock, new StopSignal(), false),
                    List.of("status", "01a212e0-3f05-7942-80a2-c34293387a07", "--api-url", gateway.url().toString()));

            assertThat(run.code()).as(run.err()).isZero();
            Provider.Call signed = gateway.calls().getFirst();
            String authorization = signed.header("authorization").orElseThrow();
            assertThat(authorization).startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261125/eu-west-1/execute-api/aws4_request, ");
            assertThat(signed.header("x-amz-date")).contains("20261125T100000Z");
            assertThat(signed.header("x-amz-security-token")).contains("session-token-1");
            assertThat(resign(signed, gateway, clock)).as("signed again from what arrived: the same signature").isEqualTo(authorization);
            assertThat(gateway.calls().get(1).header("authorization")).as("127.0.0.1 is local: unsigned by default").isEmpty();
            assertThat(local.code()).isZero();
        }
    }

    /** The signature of the request as the server received it: the headers it says it signed, with their received values. */
    private static String resign(Provider.Call call, Provider gateway, Clock clock) {
        String authorization = call.header("authorization").orElseThrow();
        String signedHeaders = authorization.replaceAll(".*SignedHeaders=([^,]+),.*", "$1");
        SdkHttpFullRequest.Builder request = SdkHttpFullRequest.builder().method(SdkHttpMethod.fromValue(call.method()))
                .uri(gateway.url().resolve(call.path()));
        Arrays.stream(signedHeaders.split(";")).forEach(h -> request.putHeader(h, call.header(h).orElseThrow()));
        byte[] body = call.body().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return AwsV4HttpSigner.create().sign(r -> r
                        .identity(AwsSessionCredentials.create("AKIDEXAMPLE", "secret-example", "session-token-1"))
                        .request(request.build())
                        .payload(ContentStreamProvider.fromByteArray(body))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "execute-api")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, "eu-west-1")
                        .putProperty(HttpSigner.SIGNING_CLOCK, clock))
                .request().firstMatchingHeader("Authorization").orElseThrow();
    }
}
