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
import dev.errand.testkit.Provider.Reply;
import dev.errand.testkit.Provider;
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
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/** Target auth with secrets in SSM Parameter Store and Secrets Manager (moto), against a provider that checks them. */
class TargetAuthTest {

    private static final String TOKEN = "tok-5f2e9c1a";
    private static final String ROTATED = "tok-rotated-77b1";
    private static final String API_KEY = "key-0c4d8e2f";
    private static final String PASSWORD = "pw-9a8b7c6d";

    private static Sqs sqs;
    private static Moto moto;
    private static Provider provider;
    private static String jobsQueue;
    private static String deadLetters;
    private static final AtomicReference<String> acceptedToken = new AtomicReference<>(TOKEN);
    private final JobIds ids = new JobIds(Clock.systemUTC(), new SplittableRandom(9));
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();

    @BeforeAll
    static void start() {
        sqs = Sqs.start();
        moto = Moto.start();
        jobsQueue = sqs.createQueue("jobs", Map.of("VisibilityTimeout", "60"));
        deadLetters = sqs.createQueue("jobs-dlq", Map.of());
        provider = Provider.start(TargetAuthTest::checkCredentials);
    }

    @AfterAll
    static void stop() {
        provider.close();
        moto.close();
        sqs.close();
    }

    @BeforeEach
    void secrets() {
        moto.reset();
        acceptedToken.set(TOKEN);
        try (var ssm = moto.ssm(); var secrets = moto.secretsManager()) {
            ssm.putParameter(b -> b.name("/errand/crm-token").type(ParameterType.SECURE_STRING).value(TOKEN));
            ssm.putParameter(b -> b.name("/errand/mail-key").type(ParameterType.SECURE_STRING).value(API_KEY));
            secrets.createSecret(b -> b.name("errand/billing").secretString(PASSWORD));
        }
        sqs.client().purgeQueue(b -> b.queueUrl(jobsQueue));
        sqs.client().purgeQueue(b -> b.queueUrl(deadLetters));
    }

    /** /crm wants the bearer token in force, /mail its API key, /billing basic auth; /echo answers 400 echoing the headers. */
    private static Reply checkCredentials(Provider.Call call) {
        String expected = switch (call.path().split("/")[1]) {
            case "crm" -> "authorization=Bearer " + acceptedToken.get();
            case "mail" -> "x-api-key=" + API_KEY;
            case "billing" -> "authorization=Basic " + Base64.getEncoder().encodeToString(("errand:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
            default -> "";
        };
        if (call.path().startsWith("/crm/echo")) {
            return Reply.status(400).withBody("{\"you sent\":\"" + call.headers().get("authorization") + "\"}");
        }
        String[] kv = expected.split("=", 2);
        return call.header(kv[0]).filter(kv[1]::equals).isPresent() ? Reply.status(200) : Reply.status(401);
    }

    private ProcessJobsFunction function() {
        return new ProcessJobsFunction(new Env(environment()), () -> 1.0, new PrintStream(logs, true, StandardCharsets.UTF_8));
    }

    private Map<String, String> environment() {
        Map<String, String> env = new HashMap<>(moto.environment());
        env.putAll(sqs.environment());
        env.put(Env.JOBS_QUEUE_URL, jobsQueue);
        env.put(Env.DEAD_LETTER_QUEUE_URL, deadLetters);
        env.put(Env.RETRY_BASE_SECONDS, "1");
        env.put(Env.TARGETS, """
                {"targets":{
                  "crm":{"baseUrl":"%1$s/crm","allowInsecure":true,"auth":{"type":"bearer","secret":"ssm:/errand/crm-token"}},
                  "mail":{"baseUrl":"%1$s/mail","allowInsecure":true,"auth":{"type":"header","header":"X-Api-Key","secret":"ssm:/errand/mail-key"}},
                  "billing":{"baseUrl":"%1$s/billing","allowInsecure":true,"auth":{"type":"basic","username":"errand","secret":"secretsmanager:errand/billing"}},
                  "vault":{"baseUrl":"%1$s/vault","allowInsecure":true,"auth":{"type":"bearer","secret":"ssm:/errand/missing"}}
                }}""".formatted(provider.url()));
        return env;
    }

    private String job(String target, String path) {
        return Envelope.encode(new Job(ids.next(), new JobRequest(target, HttpMethod.POST, path, Map.of(), Optional.empty(), 0),
                Instant.now(), 0));
    }

    private static SQSBatchResponse run(ProcessJobsFunction function, List<SQSEvent.SQSMessage> records) {
        return function.handleRequest(Records.event(records), FixedContext.timeout(Duration.ofSeconds(30)));
    }

    @Test
    void eachAuthKindReachesTheProviderWithItsSecret() {
        List<SQSEvent.SQSMessage> records = Records.viaQueue(sqs, jobsQueue,
                List.of(job("crm", "/contacts"), job("mail", "/send"), job("billing", "/charge")));

        SQSBatchResponse response = run(function(), records);

        assertThat(Records.failed(response)).isEmpty();
        assertThat(provider.calls()).extracting(Provider.Call::path).contains("/crm/contacts", "/mail/send", "/billing/charge");
        assertThat(sqs.drain(deadLetters)).isEmpty();
    }

    @Test
    void aRotatedSecretIsReadAgainAfterA401AndTheNextAttemptSucceeds() {
        ProcessJobsFunction function = function();
        run(function, Records.viaQueue(sqs, jobsQueue, List.of(job("crm", "/warm-the-cache"))));
        try (var ssm = moto.ssm()) {
            ssm.putParameter(b -> b.name("/errand/crm-token").type(ParameterType.SECURE_STRING).value(ROTATED).overwrite(true));
        }
        acceptedToken.set(ROTATED);
        SQSEvent.SQSMessage record = Records.viaQueue(sqs, jobsQueue, List.of(job("crm", "/contacts"))).getFirst();

        SQSBatchResponse first = run(function, List.of(record));
        record.getAttributes().put("ApproximateReceiveCount", "2");
        SQSBatchResponse second = run(function, List.of(record));

        assertThat(Records.failed(first)).as("the 401 with the stale token is retried").containsExactly(record.getMessageId());
        assertThat(Records.failed(second)).as("the retry carries the rotated token").isEmpty();
        assertThat(provider.calls().stream().filter(c -> c.path().equals("/crm/contacts")).map(c -> c.header("authorization").orElseThrow()))
                .containsExactly("Bearer " + TOKEN, "Bearer " + ROTATED);
    }

    @Test
    void aSecretThatDoesNotExistDeadLettersEveryJobAtOnceWithOneReadNamingTheReference() {
        List<SQSEvent.SQSMessage> records = Records.viaQueue(sqs, jobsQueue,
                java.util.stream.IntStream.range(0, 20).mapToObj(i -> job("vault", "/open")).toList());

        SQSBatchResponse response = run(function(), records);

        assertThat(Records.failed(response)).isEmpty();
        assertThat(provider.calls()).noneMatch(c -> c.path().startsWith("/vault"));
        List<Message> dead = sqs.drain(deadLetters);
        assertThat(dead).hasSize(20).allSatisfy(m -> assertThat(m.messageAttributes().get("errand.reason").stringValue())
                .contains("ssm:/errand/missing", "ParameterNotFound"));
        assertThat(sqs.drain(jobsQueue)).as("nothing is put off to come back forever").isEmpty();
    }

    @Test
    void aSecretStoreThatCannotBeReachedDefersTheJobWithoutCallingOrCountingAnAttempt() {
        SQSEvent.SQSMessage record = Records.viaQueue(sqs, jobsQueue, List.of(job("crm", "/contacts"))).getFirst();
        Map<String, String> env = new HashMap<>(environment());
        env.put("AWS_ENDPOINT_URL_SSM", "http://127.0.0.1:" + dev.errand.testkit.Ports.closed());
        ProcessJobsFunction unreachable = new ProcessJobsFunction(new Env(env), () -> 1.0, new PrintStream(logs, true, StandardCharsets.UTF_8));

        SQSBatchResponse response = run(unreachable, List.of(record));

        assertThat(Records.failed(response)).isEmpty();
        assertThat(provider.calls()).noneMatch(c -> c.path().startsWith("/crm"));
        assertThat(logs.toString(StandardCharsets.UTF_8)).contains("could not read the target's secret", "ssm:/errand/crm-token");
        List<Message> resent = sqs.drain(jobsQueue);
        for (long end = System.nanoTime() + Duration.ofSeconds(10).toNanos(); resent.isEmpty() && System.nanoTime() < end; ) {
            resent = sqs.drain(jobsQueue);
        }
        assertThat(resent).hasSize(1);
        assertThat(((Envelope.Decoded.Readable) Envelope.decode(resent.getFirst().body())).job().priorAttempts()).isZero();
        assertThat(sqs.drain(deadLetters)).isEmpty();
    }

    @Test
    void secretsAppearInNoLogLineAndNoDeadLetter() {
        List<SQSEvent.SQSMessage> records = Records.viaQueue(sqs, jobsQueue, List.of(job("crm", "/echo"), job("mail", "/send"),
                job("billing", "/charge"), job("crm", "/contacts")));

        run(function(), records);

        String log = logs.toString(StandardCharsets.UTF_8);
        String basic = Base64.getEncoder().encodeToString(("errand:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        assertThat(log).contains("\"outcome\":\"rejected\"", "Bearer ***");
        assertThat(log).doesNotContain(TOKEN, API_KEY, PASSWORD, basic);
        Message dead = sqs.drain(deadLetters).getFirst();
        assertThat(dead.messageAttributes().get("errand.reason").stringValue()).contains("Bearer ***").doesNotContain(TOKEN);
        assertThat(dead.messageAttributes().values().toString()).doesNotContain(TOKEN, API_KEY, PASSWORD, basic);
        assertThat(dead.body()).doesNotContain(TOKEN);
    }
}
