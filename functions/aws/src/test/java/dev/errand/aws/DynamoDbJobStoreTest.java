package dev.errand.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.core.job.HttpMethod;
import dev.errand.core.job.Job;
import dev.errand.core.job.JobIds;
import dev.errand.core.job.JobRequest;
import dev.errand.core.record.IdempotencyKey;
import dev.errand.core.record.JobLife;
import dev.errand.core.record.JobLife.Event;
import dev.errand.core.record.JobQuery;
import dev.errand.core.record.JobRecord;
import dev.errand.core.record.JobStatus;
import dev.errand.core.record.JobStore.Cancel;
import dev.errand.core.record.JobStore.Claim;
import dev.errand.core.record.JobStore.Creation;
import dev.errand.core.record.JobStore.Lookup;
import dev.errand.core.record.JobStore.Requeue;
import dev.errand.core.record.JobStore.Write;
import dev.errand.core.record.JobStore;
import dev.errand.core.record.RequestHash;
import dev.errand.testkit.ManualClock;
import dev.errand.testkit.Moto;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** The job records' conditional writes, against DynamoDB as moto serves it. */
class DynamoDbJobStoreTest {

    private static Moto moto;
    private static DynamoDbClient dynamo;
    private final JobIds ids = new JobIds(Clock.systemUTC(), new SplittableRandom(3));
    private JobStore store;

    @BeforeAll
    static void start() {
        moto = Moto.start();
        dynamo = moto.dynamoDb();
    }

    @AfterAll
    static void stop() {
        dynamo.close();
        moto.close();
    }

    @BeforeEach
    void table() {
        moto.reset();
        createTable(dynamo, "jobs");
        store = new DynamoDbJobStore(dynamo, "jobs", Clock.systemUTC(), Duration.ofDays(7));
    }

    /** The table as template.yaml declares it: the key, and the two list indexes. */
    static void createTable(DynamoDbClient dynamo, String name) {
        java.util.function.BiFunction<String, String, software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex> index =
                (indexName, partition) -> software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex.builder().indexName(indexName)
                        .keySchema(k -> k.attributeName(partition).keyType(KeyType.HASH),
                                k -> k.attributeName(DynamoDbJobStore.CHANGE_KEY).keyType(KeyType.RANGE))
                        .projection(p -> p.projectionType("ALL")).build();
        dynamo.createTable(b -> b.tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        a -> a.attributeName("pk").attributeType(ScalarAttributeType.S),
                        a -> a.attributeName("status").attributeType(ScalarAttributeType.S),
                        a -> a.attributeName(DynamoDbJobStore.TARGET_STATUS).attributeType(ScalarAttributeType.S),
                        a -> a.attributeName(DynamoDbJobStore.CHANGE_KEY).attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH))
                .globalSecondaryIndexes(index.apply(DynamoDbJobStore.BY_STATUS, "status"),
                        index.apply(DynamoDbJobStore.BY_TARGET_STATUS, DynamoDbJobStore.TARGET_STATUS)));
    }

    private Job job(String path) {
        return new Job(ids.next(), new JobRequest("crm", HttpMethod.POST, path, Map.of("X-Secret-Ish", "header-value-1"),
                Optional.of("{\"card\":\"4111-body-value\"}"), 0), Instant.now(), 0);
    }

    /** The same job, due a day after it was submitted. */
    private static Job later(Job job) {
        JobRequest r = job.request();
        return new Job(job.id(), new JobRequest(r.target(), r.method(), r.path(), r.headers(), r.body(), 86_400), job.submittedAt(), 0);
    }

    private JobRecord found(Job job) {
        return ((Lookup.Found) store.find(job.id())).record();
    }

    private static final int MAX = 5;
    private static final Instant LEASE = Instant.now().plusSeconds(60);

    private Claim claim(Job job, int attempt, String token) {
        return store.claim(job, attempt, false, token, Instant.now().minusSeconds(1), MAX);
    }

    private Write record(Job job, Event event, int attempt, Optional<Integer> code, Optional<String> error) {
        return store.record(job, event, attempt, code, error);
    }

    private Job enqueued(String path) {
        Job job = job(path);
        store.create(job, Optional.empty(), "h");
        store.markEnqueued(job.id());
        return job;
    }

    @Test
    void aJobMovesForwardOnlyAndNothingMovesItOnceItSucceeded() {
        Job job = job("/a");
        assertThat(store.create(job, Optional.empty(), "h")).isEqualTo(new Creation.Created());
        assertThat(store.find(job.id())).as("not found until its message is sent").isInstanceOf(Lookup.Missing.class);
        store.markEnqueued(job.id());
        assertThat(found(job).status()).isEqualTo(JobStatus.QUEUED);

        assertThat(claim(job, 1, "receive-1")).isEqualTo(new Claim.Claimed(1));
        assertThat(found(job).status()).isEqualTo(JobStatus.RUNNING);
        assertThat(record(job, Event.RETRY, 1, Optional.of(503), Optional.of("HTTP 503"))).isEqualTo(new Write.Done());
        assertThat(record(job, Event.RETRY, 1, Optional.of(503), Optional.empty())).as("the same event again")
                .isEqualTo(new Write.Refused(JobLife.Refusal.UNCLAIMED));
        assertThat(claim(job, 2, "receive-2")).isEqualTo(new Claim.Claimed(2));
        assertThat(record(job, Event.SUCCEED, 1, Optional.of(200), Optional.empty())).as("an event of an earlier attempt")
                .isEqualTo(new Write.Refused(JobLife.Refusal.OTHER_ATTEMPT));
        assertThat(record(job, Event.SUCCEED, 2, Optional.of(200), Optional.empty())).isEqualTo(new Write.Done());

        JobRecord record = found(job);
        assertThat(record.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(record.attempts()).isEqualTo(2);
        assertThat(record.lastStatusCode()).contains(200);
        assertThat(record.lastError()).as("a success clears the earlier attempt's error").isEmpty();
        assertThat(claim(job, 3, "receive-3")).isEqualTo(new Claim.AlreadySucceeded());
        assertThat(store.claim(job, 3, true, "receive-4", LEASE, MAX)).as("not even a redrive revives a succeeded job")
                .isEqualTo(new Claim.AlreadySucceeded());
        assertThat(record(job, Event.EXPIRE, 3, Optional.empty(), Optional.of("late"))).isEqualTo(new Write.Refused(JobLife.Refusal.SUCCEEDED));
        assertThat(found(job).status()).isEqualTo(JobStatus.SUCCEEDED);
    }

    @Test
    void aCopyBehindTheRecordIsCalledAtTheRecordsNextAttemptNeverPastTheLast() {
        Job job = enqueued("/behind");
        claim(job, 1, "m-1:1");
        record(job, Event.RETRY, 1, Optional.of(503), Optional.of("HTTP 503"));

        assertThat(claim(job, 1, "m-2:1")).as("a duplicate copy at attempt 1: delivered, counting on").isEqualTo(new Claim.Claimed(2));
        record(job, Event.RETRY, 2, Optional.of(503), Optional.of("HTTP 503 again"));
        for (int attempt = 3; attempt <= MAX; attempt++) {
            assertThat(claim(job, attempt, "m-1:" + attempt)).isEqualTo(new Claim.Claimed(attempt));
            record(job, Event.RETRY, attempt, Optional.of(503), Optional.of("HTTP 503 #" + attempt));
        }
        assertThat(claim(job, 2, "m-2:2")).as("every allowed call made")
                .isEqualTo(new Claim.OutOfAttempts(MAX, Optional.of("HTTP 503 #" + MAX)));
    }

    @Test
    void aRunningCallHoldsItsLeaseAndARecordLeftRunningIsDeliveredOnceTheLeaseIsOver() {
        Job job = enqueued("/lease");
        Instant leaseEnd = Instant.now().plusSeconds(30);
        assertThat(store.claim(job, 1, false, "m-1:1", leaseEnd, MAX)).isEqualTo(new Claim.Claimed(1));
        assertThat(store.claim(job, 1, false, "m-1:1", leaseEnd, MAX)).as("the SDK's retry of a write that had landed")
                .isEqualTo(new Claim.Claimed(1));
        Claim rival = store.claim(job, 1, false, "m-2:1", leaseEnd, MAX);
        assertThat(rival).as("another copy while the call may be in flight").isInstanceOf(Claim.InFlight.class);
        assertThat(((Claim.InFlight) rival).leaseUntil().toEpochMilli()).isEqualTo(leaseEnd.toEpochMilli());

        Job crashed = enqueued("/crashed");
        store.claim(crashed, 1, false, "m-3:1", Instant.now().minusMillis(1), MAX);
        assertThat(claim(crashed, 1, "m-3:2")).as("its success or dead write was lost, or the consumer stopped: delivered again")
                .isEqualTo(new Claim.Claimed(2));
    }

    @Test
    void aFinalVerdictStopsEveryCopyButARedrivenOne() {
        Job job = enqueued("/b");
        claim(job, 1, "receive-6");
        record(job, Event.REFUSE, 1, Optional.of(400), Optional.of("HTTP 400: bad email"));

        assertThat(claim(job, 2, "receive-7")).as("a stray or undeleted copy, or one whose dead letter was never sent")
                .isEqualTo(new Claim.FinalVerdict(JobStatus.FAILED, 1, "HTTP 400: bad email"));
        assertThat(store.claim(job, 1, true, "receive-8", LEASE, MAX)).as("redriven from the dead-letter queue: a fresh count")
                .isEqualTo(new Claim.Claimed(1));
        assertThat(found(job).status()).isEqualTo(JobStatus.RUNNING);
    }

    @Test
    void aRedriveRequeuesADeadJobOncePerDeadLetterAndTheNextCallIsAttemptOne() {
        Job job = enqueued("/r");
        claim(job, 1, "receive-9");
        record(job, Event.RETRY, 1, Optional.of(503), Optional.of("HTTP 503"));
        claim(job, 2, "receive-10");
        record(job, Event.EXHAUST, 2, Optional.of(503), Optional.of("gave up after 2 attempts"));

        assertThat(store.requeue(job.id(), "dlq-message-1")).isEqualTo(new Requeue.Requeued());
        JobRecord queued = found(job);
        assertThat(queued.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(queued.attempts()).isZero();
        assertThat(queued.lastStatusCode()).as("a fresh schedule").isEmpty();
        assertThat(queued.lastError()).isEmpty();

        assertThat(store.requeue(job.id(), "dlq-message-1")).as("a re-run, before the copy was sent")
                .isEqualTo(new Requeue.AlreadyRequeued(false));
        assertThat(store.redriveSent(job.id(), "dlq-message-1")).isEqualTo(new Write.Done());
        assertThat(store.requeue(job.id(), "dlq-message-1")).as("a re-run, after the copy was sent")
                .isEqualTo(new Requeue.AlreadyRequeued(true));
        assertThat(store.redriveSent(job.id(), "another-dead-letter")).as("not the letter it was requeued for")
                .isEqualTo(new Write.Stale());

        assertThat(claim(job, 1, "receive-11")).as("the redriven copy's first call").isEqualTo(new Claim.Claimed(1));
        record(job, Event.REFUSE, 1, Optional.of(400), Optional.of("HTTP 400"));
        assertThat(store.requeue(job.id(), "dlq-message-1")).as("the old dead letter again: it was redriven already")
                .isEqualTo(new Requeue.AlreadyRequeued(true));
        assertThat(store.requeue(job.id(), "dlq-message-2")).as("the job's next dead letter").isEqualTo(new Requeue.Requeued());
        assertThat(found(job).status()).isEqualTo(JobStatus.QUEUED);
    }

    @Test
    void nothingRequeuesASucceededJobOrAJobWithoutARecord() {
        Job job = enqueued("/s");
        claim(job, 1, "receive-12");
        record(job, Event.SUCCEED, 1, Optional.of(200), Optional.empty());

        assertThat(store.requeue(job.id(), "dlq-message-3")).isEqualTo(new Requeue.AlreadySucceeded());
        assertThat(found(job).status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(store.requeue(job("/never-stored").id(), "dlq-message-4")).isEqualTo(new Requeue.NoRecord());
        assertThat(dynamo.scan(b -> b.tableName("jobs")).items()).as("no record made up").hasSize(1);
    }

    @Test
    void aJobWithoutARecordGetsOneFromItsFirstClaimOrItsDeadLetter() {
        Job claimed = job("/no-record-1");
        assertThat(claim(claimed, 1, "m-9:1")).isEqualTo(new Claim.Claimed(1));
        assertThat(found(claimed).target()).isEqualTo("crm");
        Job dropped = job("/no-record-2");
        assertThat(record(dropped, Event.DROP, 0, Optional.empty(), Optional.of("target 'crm' is not configured"))).isEqualTo(new Write.Done());
        assertThat(found(dropped).status()).isEqualTo(JobStatus.FAILED);
        assertThat(found(dropped).lastError()).contains("target 'crm' is not configured");
    }

    /**
     * Every status (and no record) against every event the store applies: the record ends where
     * {@link JobLife}'s table says, or stays as it was when the table refuses, with the refusal it names.
     */
    @Test
    void theStoreEnforcesTheJobLifeTableForEveryStatusAndEvent() {
        List<Optional<JobStatus>> froms = new java.util.ArrayList<>();
        froms.add(Optional.empty());
        for (JobStatus s : JobStatus.values()) {
            froms.add(Optional.of(s));
        }
        List<String> checked = new java.util.ArrayList<>();
        for (Optional<JobStatus> from : froms) {
            for (Event event : APPLIED) {
                Job job = job("/pair");
                from.ifPresent(status -> put(job, status, 2));
                Object answer = apply(job, event);
                Optional<JobStatus> after = status(job);
                switch (JobLife.rule(from, event)) {
                    case JobLife.Rule.Move move -> assertThat(after).as(from + " x " + event + " (answer " + answer + ")").contains(move.to());
                    case JobLife.Rule.Refused refused -> {
                        assertThat(after).as(from + " x " + event + " is refused and changes nothing").isEqualTo(from);
                        Object answered = switch (answer) {
                            case Cancel.AlreadyCancelled c -> JobLife.Refusal.CANCELLED;
                            case Cancel.Refused r -> r.why();
                            default -> answer;
                        };
                        assertThat(answered).as(from + " x " + event).isEqualTo(refusalAnswer(refused.why(), event, from));
                    }
                }
                checked.add(from + "x" + event);
            }
        }
        assertThat(checked).hasSize(froms.size() * APPLIED.size());
    }

    /** The events the store applies; submit is {@code create} of a job due now, tested above, schedule the same of one due later. */
    private static final List<Event> APPLIED = List.of(Event.SCHEDULE, Event.CLAIM, Event.CLAIM_REDRIVEN, Event.SUCCEED, Event.RETRY,
            Event.REFUSE, Event.EXHAUST, Event.DROP, Event.EXPIRE, Event.CANCEL, Event.REQUEUE);

    private Object apply(Job job, Event event) {
        return switch (event) {
            case CLAIM -> claim(job, 3, "pair");
            case CLAIM_REDRIVEN -> store.claim(job, 1, true, "pair", LEASE, MAX);
            case SUCCEED, RETRY, REFUSE, EXHAUST -> record(job, event, 2, Optional.of(500), Optional.of("pair"));
            case DROP, EXPIRE -> record(job, event, 2, Optional.empty(), Optional.of("pair"));
            case REQUEUE -> store.requeue(job.id(), "pair-letter");
            case SCHEDULE -> {
                Creation created = store.create(later(job), Optional.empty(), "h");
                store.markEnqueued(job.id());
                yield created;
            }
            case CANCEL -> store.cancel(job.id());
            default -> throw new IllegalArgumentException("not applied by the store yet: " + event);
        };
    }

    private static Object refusalAnswer(JobLife.Refusal why, Event event, Optional<JobStatus> from) {
        return switch (event) {
            case CLAIM, CLAIM_REDRIVEN -> switch (why) {
                case SUCCEEDED -> new Claim.AlreadySucceeded();
                case CANCELLED -> new Claim.Cancelled();
                case FINAL -> new Claim.FinalVerdict(from.orElseThrow(), 2, "no reason was recorded");
                default -> new Claim.Unavailable("the job record refused the claim: " + why.reason());
            };
            case SCHEDULE -> new Creation.Unavailable("the job exists already");
            case CANCEL -> switch (why) {
                case NO_RECORD -> new Cancel.NoRecord();
                // the record is in the answer: compared by kind and reason
                default -> why;
            };
            case REQUEUE -> switch (why) {
                case SUCCEEDED -> new Requeue.AlreadySucceeded();
                case NO_RECORD -> new Requeue.NoRecord();
                default -> new Requeue.Refused(why);
            };
            default -> new Write.Refused(why);
        };
    }

    /** A record in {@code status} at attempt {@code attempts}, written as the store writes records; a running one's lease is over. */
    private void put(Job job, JobStatus status, int attempts) {
        Map<String, AttributeValue> item = new java.util.HashMap<>();
        item.put("pk", AttributeValue.fromS(DynamoDbJobStore.jobPk(job.id())));
        item.put("jobId", AttributeValue.fromS(job.id().value()));
        item.put("status", AttributeValue.fromS(status.wire()));
        item.put("target", AttributeValue.fromS("crm"));
        item.put("method", AttributeValue.fromS("POST"));
        item.put("path", AttributeValue.fromS("/pair"));
        item.put("createdAt", AttributeValue.fromS(Instant.now().toString()));
        item.put("updatedAt", AttributeValue.fromS(Instant.now().toString()));
        item.put("attempts", AttributeValue.fromN(String.valueOf(attempts)));
        item.put("enqueued", AttributeValue.fromBool(true));
        item.put("expiresAt", AttributeValue.fromN(String.valueOf(Instant.now().plusSeconds(3600).getEpochSecond())));
        item.put(DynamoDbJobStore.LEASE_UNTIL, AttributeValue.fromN(String.valueOf(Instant.now().minusSeconds(5).toEpochMilli())));
        dynamo.putItem(b -> b.tableName("jobs").item(item));
    }

    private Optional<JobStatus> status(Job job) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName("jobs")
                .key(Map.of("pk", AttributeValue.fromS(DynamoDbJobStore.jobPk(job.id()))))).item();
        return item.isEmpty() ? Optional.empty() : Optional.of(JobStatus.fromWire(item.get("status").s()));
    }

    @Test
    void aKeyGivesTheSameJobForTheSameRequestAndRefusesADifferentOne() {
        Job first = job("/c");
        IdempotencyKey key = new IdempotencyKey("arn:aws:iam::1:user/a", "order-1");
        String hash = RequestHash.of(first.request());
        assertThat(store.create(first, Optional.of(key), hash)).isEqualTo(new Creation.Created());

        Job again = job("/c");
        Creation whileSending = store.create(again, Optional.of(key), hash);
        assertThat(whileSending).isEqualTo(new Creation.Repeated(first.id(), first.submittedAt(), JobStore.Next.WAIT, JobStatus.QUEUED));
        store.markEnqueued(first.id());
        assertThat(store.create(again, Optional.of(key), hash))
                .isEqualTo(new Creation.Repeated(first.id(), first.submittedAt(), JobStore.Next.ANSWER, JobStatus.QUEUED));
        claim(first, 1, "m:1");
        record(first, Event.SUCCEED, 1, Optional.of(200), Optional.empty());
        assertThat(store.create(again, Optional.of(key), hash)).as("a replay answers where the job stands now")
                .isEqualTo(new Creation.Repeated(first.id(), first.submittedAt(), JobStore.Next.ANSWER, JobStatus.SUCCEEDED));
        assertThat(store.create(job("/other"), Optional.of(key), "another hash")).isEqualTo(new Creation.Conflict(first.id()));
        assertThat(store.create(again, Optional.of(new IdempotencyKey("arn:aws:iam::1:user/b", "order-1")), hash))
                .as("another caller's key of the same text").isEqualTo(new Creation.Created());
        assertThat(found(first).idempotencyKey()).contains("order-1");
    }

    @Test
    void aSendThatNeverHappenedIsTakenOverOnceTheLeaseRunsOut() {
        ManualClock clock = new ManualClock(Instant.parse("2026-11-25T10:00:00Z"));
        JobStore timed = new DynamoDbJobStore(dynamo, "jobs", clock, Duration.ofDays(7));
        Job job = job("/d");
        IdempotencyKey key = new IdempotencyKey(IdempotencyKey.ANONYMOUS, "k");
        timed.create(job, Optional.of(key), "h");

        clock.advance(DynamoDbJobStore.SEND_LEASE.plusSeconds(1));

        assertThat(timed.create(job("/d"), Optional.of(key), "h"))
                .isEqualTo(new Creation.Repeated(job.id(), job.submittedAt(), JobStore.Next.SEND, JobStatus.QUEUED));
        assertThat(timed.create(job("/d"), Optional.of(key), "h")).as("one taker at a time")
                .isEqualTo(new Creation.Repeated(job.id(), job.submittedAt(), JobStore.Next.WAIT, JobStatus.QUEUED));
    }

    @Test
    void anIdempotencyKeyLivesAsLongAsItsJobsRecord() {
        ManualClock clock = new ManualClock(Instant.parse("2026-11-25T10:00:00Z"));
        JobStore timed = new DynamoDbJobStore(dynamo, "jobs", clock, Duration.ofDays(7));
        Job job = job("/ttl");
        IdempotencyKey key = new IdempotencyKey(IdempotencyKey.ANONYMOUS, "ttl-key");
        timed.create(job, Optional.of(key), "h");
        timed.markEnqueued(job.id());
        clock.advance(Duration.ofDays(20));
        timed.claim(job, 1, false, "m:1", clock.instant(), MAX);
        timed.record(job, Event.SUCCEED, 1, Optional.of(200), Optional.empty());

        long recordExpiry = ((Lookup.Found) timed.find(job.id())).record().expiresAt().getEpochSecond();
        long keyExpiry = Long.parseLong(dynamo.getItem(b -> b.tableName("jobs").key(Map.of("pk",
                AttributeValue.fromS(DynamoDbJobStore.keyPk(key))))).item().get("expiresAt").n());
        assertThat(keyExpiry).as("renewed with the job's final write, 20 days after it was made").isEqualTo(recordExpiry);
    }

    @Test
    void anUnsentJobWithoutAKeyIsForgotten() {
        Job job = job("/e");
        store.create(job, Optional.empty(), "h");
        assertThat(store.forget(job.id())).isEqualTo(new Write.Done());
        assertThat(dynamo.scan(b -> b.tableName("jobs")).items()).isEmpty();
    }

    @Test
    void noItemHoldsABodyOrAHeaderValue() {
        Job job = job("/f");
        store.create(job, Optional.of(new IdempotencyKey(IdempotencyKey.ANONYMOUS, "key-1")), RequestHash.of(job.request()));
        store.markEnqueued(job.id());
        claim(job, 1, "receive-13");
        record(job, Event.REFUSE, 1, Optional.of(400), Optional.of("HTTP 400: {\"error\":\"bad\"}"));

        String items = dynamo.scan(b -> b.tableName("jobs")).items().toString();
        assertThat(items).contains(job.id().value(), "failed").doesNotContain("4111-body-value", "header-value-1", "card");
    }

    @Test
    void aStoreThatCannotBeReachedSaysSoInsteadOfThrowing() {
        Map<String, String> env = Map.of("AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "x", "AWS_SECRET_ACCESS_KEY", "x",
                "AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:" + dev.errand.testkit.Ports.closed());
        JobStore down = new DynamoDbJobStore(new AwsClients(new Env(env)).dynamoDb(), "jobs", Clock.systemUTC(), Duration.ofDays(7));
        Job job = job("/g");

        assertThat(down.create(job, Optional.empty(), "h")).isInstanceOf(Creation.Unavailable.class);
        assertThat(down.claim(job, 1, false, "receive-14", LEASE, MAX)).isInstanceOf(Claim.Unavailable.class);
        assertThat(down.find(job.id())).isInstanceOf(Lookup.Unavailable.class);
        assertThat(down.record(job, Event.SUCCEED, 1, Optional.of(200), Optional.empty())).isInstanceOf(Write.Unavailable.class);
        assertThat(down.requeue(job.id(), "dlq-message")).isInstanceOf(Requeue.Unavailable.class);
    }

    @Test
    void aJobDueLaterIsScheduledWithItsRunAtAndKeptUntilAfterIt() {
        Job job = later(job("/later"));
        assertThat(store.create(job, Optional.empty(), "h")).isEqualTo(new Creation.Created());
        assertThat(store.find(job.id())).as("not shown until its schedule is made").isInstanceOf(Lookup.Missing.class);
        store.markEnqueued(job.id());
        JobRecord record = found(job);
        assertThat(record.status()).isEqualTo(JobStatus.SCHEDULED);
        assertThat(record.later().runAt()).contains(job.dueAt());
        assertThat(record.expiresAt()).isAfterOrEqualTo(job.dueAt().plus(Duration.ofDays(7)).minusSeconds(1));
        assertThat(store.forget(job.id())).as("an unsent scheduled job is forgotten too").isEqualTo(new Write.Stale());
    }

    @Test
    void aRetryShowsWhenTheNextAttemptIsDue() {
        Job job = enqueued("/retry-at");
        claim(job, 1, "m:1");
        Instant next = Instant.parse("2030-01-01T00:00:00Z");
        store.record(job, Event.RETRY, 1, Optional.of(503), Optional.of("HTTP 503"), new JobStore.Details(Optional.of(next), Optional.of("busy")));
        assertThat(found(job).later().nextAttemptAt()).contains(next);
        assertThat(found(job).toTree()).containsEntry("nextAttemptAt", "2030-01-01T00:00:00Z");
        claim(job, 2, "m:2");
        assertThat(found(job).later().nextAttemptAt()).as("running again: no next attempt pending").isEmpty();
    }

    @Test
    void aCancelIsFinalTheSameCancelAgainSaysSoAndAJobThatIsOverIsRefused() {
        Job queued = enqueued("/cancel-1");
        Cancel cancelled = store.cancel(queued.id());
        assertThat(cancelled).isInstanceOf(Cancel.Cancelled.class);
        assertThat(((Cancel.Cancelled) cancelled).callInFlight()).isFalse();
        assertThat(((Cancel.Cancelled) cancelled).record().status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(store.cancel(queued.id())).isInstanceOf(Cancel.AlreadyCancelled.class);
        assertThat(claim(queued, 1, "m:1")).isEqualTo(new Claim.Cancelled());

        Job running = enqueued("/cancel-2");
        store.claim(running, 1, false, "m:2", Instant.now().plusSeconds(60), MAX);
        assertThat(((Cancel.Cancelled) store.cancel(running.id())).callInFlight()).as("its call may still finish").isTrue();
        assertThat(record(running, Event.SUCCEED, 1, Optional.of(200), Optional.empty()))
                .as("what the call then answers changes nothing").isEqualTo(new Write.Refused(JobLife.Refusal.CANCELLED));

        Job done = enqueued("/cancel-3");
        claim(done, 1, "m:3");
        record(done, Event.SUCCEED, 1, Optional.of(200), Optional.empty());
        assertThat(store.cancel(done.id())).isInstanceOf(Cancel.Refused.class);
        assertThat(store.cancel(job("/never").id())).isEqualTo(new Cancel.NoRecord());

        Job scheduled = later(job("/cancel-4"));
        store.create(scheduled, Optional.empty(), "h");
        store.markEnqueued(scheduled.id());
        Instant keptUntil = found(scheduled).expiresAt();
        store.cancel(scheduled.id());
        assertThat(found(scheduled).expiresAt()).as("kept past its due time, so its schedule finds it cancelled").isEqualTo(keptUntil);
    }

    @Test
    void anAnnouncementIsMarkedForTheFinalWriteItWasMadeFor() {
        Job job = enqueued("/announce");
        claim(job, 1, "m:1");
        record(job, Event.SUCCEED, 1, Optional.of(200), Optional.empty());
        JobRecord done = found(job);
        assertThat(done.later().announced()).isFalse();
        assertThat(store.markAnnounced(job.id(), JobStatus.SUCCEEDED, done.updatedAt().minusSeconds(1), Optional.empty()))
                .as("another write's").isEqualTo(new Write.Stale());
        var notification = dev.errand.core.announce.Announcements.notificationId(job.id(), JobStatus.SUCCEEDED, done.updatedAt());
        assertThat(store.markAnnounced(job.id(), JobStatus.SUCCEEDED, done.updatedAt(), Optional.of(notification))).isEqualTo(new Write.Done());
        assertThat(found(job).later().announced()).isTrue();
        assertThat(found(job).later().notification()).contains(notification);
        assertThat(found(job).toTree().get("links").toString()).contains("notification=/jobs/" + notification);
    }

    @Test
    void theSearchPagesNewestChangeFirstByStatusAndTargetFromTheIndexes() {
        ManualClock clock = new ManualClock(Instant.parse("2026-11-25T10:00:00Z"));
        JobStore timed = new DynamoDbJobStore(dynamo, "jobs", clock, Duration.ofDays(7));
        List<Job> deadCrm = new java.util.ArrayList<>();
        for (int i = 0; i < 7; i++) {
            Job job = new Job(ids.next(), new JobRequest(i % 2 == 0 ? "crm" : "mail", HttpMethod.POST, "/s/" + i, Map.of(), Optional.empty(), 0),
                    clock.instant(), 0);
            timed.create(job, Optional.empty(), "h");
            timed.markEnqueued(job.id());
            clock.advance(Duration.ofSeconds(1));
            timed.claim(job, 1, false, "m:" + i, clock.instant(), MAX);
            timed.record(job, i == 6 ? Event.SUCCEED : Event.EXHAUST, 1, Optional.of(i == 6 ? 200 : 503), Optional.of("x"));
            if (i % 2 == 0 && i != 6) {
                deadCrm.add(job);
            }
        }
        JobQuery deadOfCrm = new JobQuery(Optional.of(JobStatus.DEAD), Optional.of("crm"), Optional.empty(), Optional.empty(), 2, Optional.empty());
        JobStore.Listing.Page first = (JobStore.Listing.Page) timed.list(deadOfCrm);
        assertThat(first.records()).extracting(JobRecord::jobId).containsExactly(deadCrm.get(2).id(), deadCrm.get(1).id());
        JobStore.Listing.Page second = (JobStore.Listing.Page) timed.list(new JobQuery(deadOfCrm.status(), deadOfCrm.target(),
                Optional.empty(), Optional.empty(), 2, first.next()));
        assertThat(second.records()).extracting(JobRecord::jobId).containsExactly(deadCrm.get(0).id());
        assertThat(second.next()).as("the last page").isEmpty();

        JobStore.Listing.Page allDead = (JobStore.Listing.Page) timed.list(new JobQuery(Optional.of(JobStatus.DEAD), Optional.empty(),
                Optional.empty(), Optional.empty(), 100, Optional.empty()));
        assertThat(allDead.records()).hasSize(6).allMatch(r -> r.status() == JobStatus.DEAD);
        JobStore.Listing.Page crm = (JobStore.Listing.Page) timed.list(new JobQuery(Optional.empty(), Optional.of("crm"),
                Optional.empty(), Optional.empty(), 100, Optional.empty()));
        assertThat(crm.records()).as("every status of one target, newest first").hasSize(4)
                .extracting(JobRecord::status).first().isEqualTo(JobStatus.SUCCEEDED);
        JobStore.Listing.Page window = (JobStore.Listing.Page) timed.list(new JobQuery(Optional.empty(), Optional.empty(),
                Optional.of(Instant.parse("2026-11-25T10:00:02Z")), Optional.of(Instant.parse("2026-11-25T10:00:03Z")), 100, Optional.empty()));
        assertThat(window.records()).as("changed from 10:00:02 to 10:00:03").hasSize(2);
        assertThat(dynamo.scan(b -> b.tableName("jobs")).count()).as("one item per job: the search reads the indexes").isEqualTo(7);
    }
}
