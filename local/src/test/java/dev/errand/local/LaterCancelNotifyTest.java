package dev.errand.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.testkit.Provider;
import dev.errand.testkit.Provider.Reply;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Jobs for later, cancel, notify and search, end to end through the local runtime: the queue's own delay for
 * jobs due within ScheduleThresholdSeconds (lowered to 4 s here, so the scheduler path is taken by jobs a few
 * seconds ahead instead of a quarter of an hour), EventBridge Scheduler in moto fired by the runtime's
 * stand-in beyond it, notifications to a second target, and the EventBridge events on moto's bus.
 */
class LaterCancelNotifyTest {

    private static final String BUS = "errand-test-events";
    /** The local promise: a job is called within 2 s of its time (the stand-in polls every 250 ms; at() has whole seconds). */
    private static final Duration LOCAL_PRECISION = Duration.ofSeconds(2);

    private static Provider provider;
    private static LocalRuntime runtime;
    private static Api api;
    private static SqsClient motoSqs;
    private static String events;

    @BeforeAll
    static void start() {
        provider = Provider.start(LaterCancelNotifyTest::answer);
        String targets = "{\"targets\":{\"crm\":{\"baseUrl\":\"" + provider.url() + "\",\"allowInsecure\":true,\"timeoutMs\":10000},"
                + "\"app\":{\"baseUrl\":\"" + provider.url() + "/app\",\"allowInsecure\":true,\"timeoutMs\":10000}}}";
        runtime = TestRuntime.start(targets, Map.of("MaxAttempts", "2", "RetryBaseSeconds", "1", "RetryMaxSeconds", "2",
                "ConsumerTimeoutSeconds", "30", "ScheduleThresholdSeconds", "4", "EventBusName", BUS));
        api = new Api(runtime.apiUrl());
        // what EventBridge delivers: a rule on the bus sends every errand event to a queue in moto
        motoSqs = SqsClient.builder().endpointOverride(moto()).region(Region.US_EAST_1).credentialsProvider(credentials())
                .httpClient(UrlConnectionHttpClient.create()).build();
        events = motoSqs.createQueue(b -> b.queueName("seen-events")).queueUrl();
        String arn = motoSqs.getQueueAttributes(b -> b.queueUrl(events).attributeNamesWithStrings("QueueArn")).attributesAsStrings().get("QueueArn");
        try (EventBridgeClient bridge = EventBridgeClient.builder().endpointOverride(moto()).region(Region.US_EAST_1)
                .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create()).build()) {
            bridge.putRule(b -> b.name("all-errand").eventBusName(BUS).eventPattern("{\"source\":[\"errand\"]}"));
            bridge.putTargets(b -> b.rule("all-errand").eventBusName(BUS).targets(t -> t.id("seen").arn(arn)));
        }
    }

    @AfterAll
    static void stop() {
        motoSqs.close();
        runtime.close();
        provider.close();
    }

    /** /status/NNN answers NNN (for app too); /busy answers 503 with Retry-After: 3; the notification hooks (/app/hooks/...) 204. */
    private static Reply answer(Provider.Call call) {
        if (call.path().startsWith("/app/hooks/")) {
            return Reply.status(204);
        }
        if (call.path().startsWith("/app/status/")) {
            return Reply.status(Integer.parseInt(call.path().substring(12, 15)));
        }
        if (call.path().equals("/busy")) {
            return Reply.status(503).withHeader("Retry-After", "3");
        }
        return call.path().startsWith("/status/") ? Reply.status(Integer.parseInt(call.path().substring(8, 11))).withBody("answer of " + call.path())
                : Reply.status(200);
    }

    private static java.net.URI moto() {
        return runtime.motoEndpoint().orElseThrow();
    }

    private static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
    }

    private static String submit(String job) {
        Api.Answer answer = api.post("/jobs", job);
        assertThat(answer.status()).as(answer.body()).isEqualTo(202);
        return answer.jobId();
    }

    private static Map<String, Object> record(String jobId) {
        Api.Answer answer = api.get("/jobs/" + jobId);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json();
    }

    private static String status(String jobId) {
        return (String) record(jobId).get("status");
    }

    private static List<String> schedules() {
        try (SchedulerClient scheduler = SchedulerClient.builder().endpointOverride(moto()).region(Region.US_EAST_1)
                .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create()).build()) {
            return scheduler.listSchedules(b -> b.groupName("errand-local-jobs")).schedules().stream().map(s -> s.name()).toList();
        }
    }

    private static List<Provider.Call> hooks(String path) {
        return provider.calls().stream().filter(c -> c.path().equals("/app" + path)).toList();
    }

    @Test
    void aJobForLaterIsNeverCalledBeforeItsTimeAndIsCalledWithinTwoSecondsAfter() {
        Instant runAt = Instant.now().plusSeconds(8).truncatedTo(ChronoUnit.MILLIS);
        String scheduled = submit("{\"target\":\"crm\",\"path\":\"/status/200\",\"runAt\":\"" + runAt + "\"}");
        Instant delayedAt = Instant.now().plusSeconds(3);
        String delayed = submit("{\"target\":\"crm\",\"path\":\"/status/201\",\"delaySeconds\":3}");
        String past = submit("{\"target\":\"crm\",\"path\":\"/status/202\",\"runAt\":\"2020-01-01T00:00:00+02:00\"}");

        assertThat(record(scheduled)).containsEntry("status", "scheduled").containsEntry("runAt", runAt.toString());
        assertThat(schedules()).as("beyond the threshold: a one-time schedule, named after the job").contains("errand-" + scheduled);
        assertThat(status(delayed)).as("within the threshold: on the queue, delayed").isEqualTo("scheduled");
        Eventually.within(Duration.ofSeconds(10), "the job whose time is past runs at once", () -> provider.callsFor(past).size() == 1);

        Eventually.within(Duration.ofSeconds(15), "the scheduled job is called", () -> provider.callsFor(scheduled).size() == 1);
        Instant called = provider.callsFor(scheduled).getFirst().at();
        assertThat(called).as("never before its time").isAfterOrEqualTo(runAt);
        assertThat(Duration.between(runAt, called)).as("called within 2 s of its time").isLessThanOrEqualTo(LOCAL_PRECISION);
        Instant delayedCall = provider.callsFor(delayed).getFirst().at();
        assertThat(delayedCall).isAfterOrEqualTo(delayedAt.minusMillis(100));
        assertThat(Duration.between(delayedAt, delayedCall)).isLessThanOrEqualTo(LOCAL_PRECISION);
        Eventually.within(Duration.ofSeconds(5), "succeeded", () -> status(scheduled).equals("succeeded"));
        assertThat(schedules()).as("a fired schedule deletes itself").doesNotContain("errand-" + scheduled);
    }

    @Test
    void aCancelledJobIsNeverCalledAndTheSameCancelAgainAnswersTheSame() {
        String near = submit("{\"target\":\"crm\",\"path\":\"/status/200\",\"delaySeconds\":4}");
        assertThat(api.delete("/jobs/" + near).status()).isEqualTo(200);
        Instant runAt = Instant.now().plusSeconds(6);
        String far = submit("{\"target\":\"crm\",\"path\":\"/status/200\",\"runAt\":\"" + runAt + "\"}");

        Api.Answer cancelled = api.delete("/jobs/" + far);
        assertThat(cancelled.status()).as(cancelled.body()).isEqualTo(200);
        assertThat(cancelled.json()).containsEntry("status", "cancelled").containsEntry("callInFlight", false);
        assertThat(api.delete("/jobs/" + far).json()).as("the same DELETE again").containsEntry("status", "cancelled");
        assertThat(schedules()).as("its schedule is gone").doesNotContain("errand-" + far);

        TestRuntime.pause(Duration.between(Instant.now(), runAt).plusSeconds(2));
        Eventually.within(Duration.ofSeconds(10), "the near job's message to be let go", () -> TestRuntime.depth(runtime, "JobsQueue") == 0);
        assertThat(provider.callsFor(far)).isEmpty();
        assertThat(provider.callsFor(near)).as("its message came and was let go").isEmpty();
        assertThat(status(near)).isEqualTo("cancelled");
    }

    @Test
    void aCancelWhileRetryingStopsFurtherCallsAndAJobThatIsOverCannotBeCancelled() {
        String retrying = submit("{\"target\":\"crm\",\"path\":\"/busy\"}");
        Eventually.within(Duration.ofSeconds(10), "retrying", () -> status(retrying).equals("retrying"));
        assertThat(record(retrying)).containsKey("nextAttemptAt");
        assertThat(api.delete("/jobs/" + retrying).json()).containsEntry("status", "cancelled");
        TestRuntime.pause(Duration.ofSeconds(5));
        assertThat(provider.callsFor(retrying)).as("no call after the cancel, though its retry came due").hasSize(1);

        String done = submit("{\"target\":\"crm\",\"path\":\"/status/200\"}");
        Eventually.within(Duration.ofSeconds(10), "succeeded", () -> status(done).equals("succeeded"));
        Api.Answer over = api.delete("/jobs/" + done);
        assertThat(over.status()).isEqualTo(409);
        assertThat(over.header("content-type")).isEqualTo("application/problem+json");
        assertThat(over.json()).containsEntry("type", "urn:errand:problem:job-over");
        assertThat(api.delete("/jobs/019ab2f0-5a00-7000-8000-000000000001").status()).isEqualTo(404);
        assertThat(api.delete("/jobs/not-a-job").status()).isEqualTo(400);
    }

    @Test
    void aNotificationIsOnePostOfTheFinalStateForEachStateAskedAndNoneForOthers() {
        String succeeded = submit("{\"target\":\"crm\",\"path\":\"/status/200\",\"notify\":{\"target\":\"app\",\"path\":\"/hooks/ok\",\"on\":[\"succeeded\"]}}");
        String dead = submit("{\"target\":\"crm\",\"path\":\"/status/503\",\"notify\":{\"target\":\"app\",\"path\":\"/hooks/dead\"}}");
        String cancelled = submit("{\"target\":\"crm\",\"path\":\"/status/200\",\"delaySeconds\":60,"
                + "\"notify\":{\"target\":\"app\",\"path\":\"/hooks/cancelled\",\"on\":[\"cancelled\"]}}");
        String notAsked = submit("{\"target\":\"crm\",\"path\":\"/status/200\",\"notify\":{\"target\":\"app\",\"path\":\"/hooks/quiet\",\"on\":[\"dead\"]}}");
        api.delete("/jobs/" + cancelled);

        Eventually.within(Duration.ofSeconds(20), "three notifications", () -> hooks("/hooks/ok").size() == 1
                && hooks("/hooks/dead").size() == 1 && hooks("/hooks/cancelled").size() == 1 && status(notAsked).equals("succeeded"));
        TestRuntime.pause(Duration.ofSeconds(2));
        assertThat(hooks("/hooks/ok")).hasSize(1);
        assertThat(hooks("/hooks/dead")).hasSize(1);
        assertThat(hooks("/hooks/cancelled")).hasSize(1);
        assertThat(hooks("/hooks/quiet")).as("on: [dead] only, and it succeeded").isEmpty();

        Map<String, Object> ok = Api.Answer.class.cast(new Api.Answer(200, Map.of(), hooks("/hooks/ok").getFirst().body())).json();
        assertThat(ok).containsEntry("jobId", succeeded).containsEntry("status", "succeeded").containsEntry("attempts", 1)
                .containsEntry("lastStatusCode", 200).containsEntry("responseBody", "answer of /status/200")
                .containsKeys("createdAt", "finishedAt");
        Map<String, Object> gone = new Api.Answer(200, Map.of(), hooks("/hooks/dead").getFirst().body()).json();
        assertThat(gone).containsEntry("jobId", dead).containsEntry("status", "dead").containsEntry("attempts", 2)
                .containsEntry("lastStatusCode", 503);
        assertThat((String) gone.get("lastError")).startsWith("gave up after 2 attempts");
        assertThat(new Api.Answer(200, Map.of(), hooks("/hooks/cancelled").getFirst().body()).json())
                .containsEntry("jobId", cancelled).containsEntry("status", "cancelled").containsEntry("attempts", 0);

        Provider.Call post = hooks("/hooks/ok").getFirst();
        assertThat(post.method()).isEqualTo("POST");
        String notificationId = post.jobId();
        assertThat(notificationId).as("the notification is a job of its own").isNotEqualTo(succeeded);
        assertThat(record(succeeded).get("links").toString()).contains("notification=/jobs/" + notificationId);
        Eventually.within(Duration.ofSeconds(5), "the notification's own record", () -> "succeeded".equals(status(notificationId)));
        assertThat(record(notificationId)).containsEntry("notifies", succeeded).doesNotContainKey("notify");

        List<Map<String, Object>> seen = events(6, List.of(succeeded, dead, cancelled));
        assertThat(seen).extracting(e -> e.get("detail-type") + " " + ((Map<?, ?>) e.get("detail")).get("jobId"))
                .contains("Job Succeeded " + succeeded, "Job Dead-lettered " + dead, "Job Cancelled " + cancelled);
        assertThat(seen).allMatch(e -> "errand".equals(e.get("source")));
        assertThat(seen).as("a notification job announces nothing in turn")
                .noneMatch(e -> notificationId.equals(((Map<?, ?>) e.get("detail")).get("jobId")));
    }

    /** The events the rule delivered to moto's queue, until every one of {@code jobs} was seen (or the time is up). */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> events(int seconds, List<String> jobs) {
        List<Map<String, Object>> seen = new ArrayList<>();
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (System.nanoTime() < end && !jobs.stream().allMatch(j -> seen.stream().anyMatch(e -> j.equals(((Map<?, ?>) e.get("detail")).get("jobId"))))) {
            for (Message m : motoSqs.receiveMessage(b -> b.queueUrl(events).maxNumberOfMessages(10).waitTimeSeconds(1)).messages()) {
                seen.add(new Api.Answer(200, Map.of(), m.body()).json());
            }
        }
        return seen;
    }

    @Test
    void theSearchListsByStatusAndTargetNewestFirstOverSeveralPages() {
        String since = URLEncoder.encode(Instant.now().minusMillis(5).toString(), StandardCharsets.UTF_8);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(submit("{\"target\":\"crm\",\"path\":\"/status/410\"}"));
            TestRuntime.pause(Duration.ofMillis(30));
        }
        String other = submit("{\"target\":\"app\",\"path\":\"/status/410\"}");
        Eventually.within(Duration.ofSeconds(15), "all failed", () -> ids.stream().allMatch(id -> status(id).equals("failed"))
                && status(other).equals("failed"));

        List<String> listed = new ArrayList<>();
        String query = "/jobs?status=failed&target=crm&limit=2&since=" + since;
        Api.Answer page = api.get(query);
        int pages = 1;
        listed.addAll(jobIds(page));
        while (page.json().containsKey("cursor")) {
            page = api.get(query + "&cursor=" + page.json().get("cursor"));
            listed.addAll(jobIds(page));
            pages++;
        }
        assertThat(pages).isEqualTo(3);
        assertThat(listed).as("each once, newest change first").containsExactlyInAnyOrderElementsOf(ids).doesNotContain(other);
        List<String> byChange = ids.stream().sorted(java.util.Comparator.comparing(id -> (String) record(id).get("updatedAt"))).toList().reversed();
        assertThat(listed).isEqualTo(byChange);

        assertThat(jobIds(api.get("/jobs?target=app&since=" + since))).containsExactly(other);
        assertThat(jobIds(api.get("/jobs?status=failed&since=" + since))).containsAll(ids).contains(other);

        Api.Answer bad = api.get("/jobs?status=nope&limit=0&cursor=zzz&target=crm");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.header("content-type")).isEqualTo("application/problem+json");
        assertThat(bad.json().get("errors").toString()).contains("/status", "/limit", "/cursor");
        assertThat(api.get("/jobs?status=failed&target=mail&cursor=" + api.get(query).json().get("cursor")).status())
                .as("a cursor of another search").isEqualTo(400);
    }

    @SuppressWarnings("unchecked")
    private static List<String> jobIds(Api.Answer page) {
        assertThat(page.status()).as(page.body()).isEqualTo(200);
        return ((List<Map<String, Object>>) page.json().get("jobs")).stream().map(j -> (String) j.get("jobId")).toList();
    }

    @Test
    void badRunLaterAndNotifyRequestsNameEveryProblemAndChangeNothing() {
        int items = items();
        int schedules = schedules().size();
        Api.Answer refused = api.post("/jobs", "{\"target\":\"crm\",\"runAt\":\"2026-13-01T00:00:00Z\",\"delaySeconds\":5,"
                + "\"notify\":{\"target\":\"nope\",\"on\":[\"finished\"]}}");
        Api.Answer tooFar = api.post("/jobs", "{\"target\":\"crm\",\"runAt\":\"" + Instant.now().plus(Duration.ofDays(400)) + "\"}");

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().get("errors").toString()).contains("/runAt", "give runAt or delaySeconds, not both", "/notify/target",
                "/notify/on/0");
        assertThat(tooFar.status()).isEqualTo(400);
        assertThat(tooFar.json().get("errors").toString()).contains("more than a year");
        assertThat(items()).as("no record").isEqualTo(items);
        assertThat(schedules().size()).as("no schedule").isEqualTo(schedules);
    }

    private static int items() {
        try (DynamoDbClient dynamo = DynamoDbClient.builder().endpointOverride(moto()).region(Region.US_EAST_1)
                .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create()).build()) {
            return dynamo.scan(b -> b.tableName(runtime.table("JobsTable").orElseThrow())).count();
        }
    }
}
