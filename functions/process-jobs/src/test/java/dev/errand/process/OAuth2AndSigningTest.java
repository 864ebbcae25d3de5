package dev.errand.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.errand.aws.Env;
import dev.errand.core.job.Envelope;
import dev.errand.core.job.HttpMethod;
import dev.errand.core.job.Job;
import dev.errand.core.job.JobIds;
import dev.errand.core.job.JobRequest;
import dev.errand.testkit.Moto;
import dev.errand.testkit.Provider;
import dev.errand.testkit.Provider.Reply;
import dev.errand.testkit.Sqs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * The consumer with an OAuth2 target (client secret in SSM, a real HTTPS token endpoint) and a signing target
 * (keys in Secrets Manager, the receiver checking each signature itself), all on moto and ElasticMQ.
 */
class OAuth2AndSigningTest {

    private static final String CLIENT_SECRET = "cs-0a9b8c7d";
    private static final String OLD_KEY = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String NEW_KEY = "whsec_c2Vjb25kLWtleS1mb3Itcm90YXRpb24=";

    private static Sqs sqs;
    private static Moto moto;
    private static Provider tokens;
    private static Provider api;
    private static String jobsQueue;
    private static String deadLetters;
    private static final AtomicInteger issued = new AtomicInteger();
    private final JobIds ids = new JobIds(Clock.systemUTC(), new SplittableRandom(13));
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();

    @BeforeAll
    static void start() {
        sqs = Sqs.start();
        moto = Moto.start();
        jobsQueue = sqs.createQueue("jobs", Map.of("VisibilityTimeout", "60"));
        deadLetters = sqs.createQueue("jobs-dlq", Map.of());
        String basic = "Basic " + Base64.getEncoder().encodeToString(("errand:" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
        tokens = Provider.start(call -> call.header("authorization").filter(basic::equals).isPresent()
                ? Reply.status(200).withBody("{\"access_token\":\"at-" + issued.incrementAndGet() + "\",\"token_type\":\"Bearer\",\"expires_in\":3600}")
                : Reply.status(401).withBody("{\"error\":\"invalid_client\"}"));
        api = Provider.start(OAuth2AndSigningTest::check);
    }

    @AfterAll
    static void stop() {
        api.close();
        tokens.close();
        moto.close();
        sqs.close();
    }

    @BeforeEach
    void secrets() {
        moto.reset();
        issued.set(0);
        try (var ssm = moto.ssm(); var secrets = moto.secretsManager()) {
            ssm.putParameter(b -> b.name("/errand/erp-client").type(ParameterType.SECURE_STRING).value(CLIENT_SECRET));
            secrets.createSecret(b -> b.name("errand/hooks-new").secretString(NEW_KEY));
            secrets.createSecret(b -> b.name("errand/hooks-old").secretString(OLD_KEY));
        }
        sqs.client().purgeQueue(b -> b.queueUrl(jobsQueue));
        sqs.client().purgeQueue(b -> b.queueUrl(deadLetters));
    }

    /** /erp wants the current token; /hooks wants a valid v1 signature by the old key (the receiver has not rotated yet). */
    private static Reply check(Provider.Call call) {
        if (call.path().startsWith("/erp")) {
            return call.header("authorization").filter(("Bearer at-" + issued.get())::equals).isPresent() ? Reply.status(200) : Reply.status(401);
        }
        String id = call.header("webhook-id").orElse("");
        String timestamp = call.header("webhook-timestamp").orElse("0");
        String expected = "v1," + hmac(OLD_KEY, id + "." + timestamp + "." + call.body());
        boolean fresh = Math.abs(Instant.now().getEpochSecond() - Long.parseLong(timestamp)) < 300;
        boolean signed = List.of(call.header("webhook-signature").orElse("").split(" ")).contains(expected);
        return fresh && signed && id.equals(call.jobId()) ? Reply.status(200) : Reply.status(400).withBody("{\"error\":\"bad signature\"}");
    }

    /** The receiver's own check, as the specification describes it: HMAC-SHA256 with the base64-decoded key. */
    private static String hmac(String secret, String content) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(content.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private ProcessJobsFunction function() {
        Map<String, String> env = new HashMap<>(moto.environment());
        env.putAll(sqs.environment());
        env.put(Env.JOBS_QUEUE_URL, jobsQueue);
        env.put(Env.DEAD_LETTER_QUEUE_URL, deadLetters);
        env.put(Env.TARGETS, """
                {"targets":{
                  "erp":{"baseUrl":"%1$s/erp","auth":{"type":"oauth2","tokenUrl":"%2$s/oauth/token","clientId":"errand","secret":"ssm:/errand/erp-client"}},
                  "hooks":{"baseUrl":"%1$s/hooks","signing":{"secrets":["secretsmanager:errand/hooks-new","secretsmanager:errand/hooks-old"]}}
                }}""".formatted(api.url(), tokens.url()));
        return new ProcessJobsFunction(new Env(env), () -> 1.0, new PrintStream(logs, true, StandardCharsets.UTF_8));
    }

    private String job(String target, String path) {
        return Envelope.encode(new Job(ids.next(), new JobRequest(target, HttpMethod.POST, path, Map.of(), Optional.of("{\"order\":42}"), 0),
                Instant.now(), 0));
    }

    private static SQSBatchResponse run(ProcessJobsFunction function, List<SQSEvent.SQSMessage> records) {
        return function.handleRequest(Records.event(records), FixedContext.timeout(Duration.ofSeconds(30)));
    }

    @Test
    void aBatchForAnOAuth2TargetBuysOneTokenAndEveryCallCarriesIt() {
        int tokensBefore = tokens.calls().size();
        List<SQSEvent.SQSMessage> records = Records.viaQueue(sqs, jobsQueue, IntStream.range(0, 30).mapToObj(i -> job("erp", "/batch")).toList());

        SQSBatchResponse response = run(function(), records);

        assertThat(Records.failed(response)).isEmpty();
        assertThat(tokens.calls().size() - tokensBefore).isEqualTo(1);
        assertThat(api.calls()).filteredOn(c -> c.path().equals("/erp/batch")).hasSize(30)
                .allSatisfy(c -> assertThat(c.header("authorization")).contains("Bearer at-1"));
        assertThat(logs.toString(StandardCharsets.UTF_8)).doesNotContain("at-1", CLIENT_SECRET);
    }

    @Test
    void aTokenTheProviderNoLongerTakesIsReplacedAfterA401AndTheJobRetried() {
        int tokensBefore = tokens.calls().size();
        ProcessJobsFunction function = function();
        run(function, Records.viaQueue(sqs, jobsQueue, List.of(job("erp", "/warm"))));
        issued.incrementAndGet();
        SQSEvent.SQSMessage record = Records.viaQueue(sqs, jobsQueue, List.of(job("erp", "/orders"))).getFirst();

        SQSBatchResponse first = run(function, List.of(record));
        record.getAttributes().put("ApproximateReceiveCount", "2");
        SQSBatchResponse second = run(function, List.of(record));

        assertThat(Records.failed(first)).as("the 401 with the revoked token is retried").containsExactly(record.getMessageId());
        assertThat(Records.failed(second)).isEmpty();
        assertThat(tokens.calls().size() - tokensBefore).as("one token, then one more after the 401").isEqualTo(2);
    }

    @Test
    void signedCallsCarryOneSignaturePerKeyThatTheReceiverChecksItself() {
        List<SQSEvent.SQSMessage> records = Records.viaQueue(sqs, jobsQueue, List.of(job("hooks", "/a"), job("hooks", "/b")));

        SQSBatchResponse response = run(function(), records);

        assertThat(Records.failed(response)).isEmpty();
        assertThat(sqs.drain(deadLetters)).as("every signature verified").isEmpty();
        assertThat(api.calls()).filteredOn(c -> c.path().startsWith("/hooks")).hasSize(2)
                .allSatisfy(c -> assertThat(c.header("webhook-signature").orElseThrow().split(" ")).hasSize(2));
        assertThat(logs.toString(StandardCharsets.UTF_8)).doesNotContain(OLD_KEY, NEW_KEY);
    }
}
