package dev.errand.aws;

import static dev.errand.aws.DynamoValues.describe;
import static dev.errand.aws.DynamoValues.n;
import static dev.errand.aws.DynamoValues.s;

import dev.errand.core.job.Job;
import dev.errand.core.job.JobId;
import dev.errand.core.job.Notify;
import dev.errand.core.record.JobQuery;
import dev.errand.core.record.IdempotencyKey;
import dev.errand.core.record.JobLife;
import dev.errand.core.record.JobLife.Event;
import dev.errand.core.record.JobRecord;
import dev.errand.core.record.JobStatus;
import dev.errand.core.record.JobStore;
import dev.errand.core.record.RequestHash;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * Job records in one DynamoDB table keyed by {@code pk}: {@code job#<id>} items hold a job's status,
 * {@code key#<hash>} items map a caller's Idempotency-Key to its job. Every status write is conditional,
 * and the condition is {@link JobLife}'s table: the statuses an event may move a job from (with the guards
 * a move needs), so a late or repeated event never moves a job back, and nothing moves a job that
 * succeeded or was cancelled. Bodies, header values and secrets are never stored.
 */
public final class DynamoDbJobStore implements JobStore {

    /** Records are kept this long after their last change, unless ERRAND_RECORD_TTL_DAYS says otherwise. */
    public static final int DEFAULT_TTL_DAYS = 7;
    /** Longer than one SendMessage with its retries, so only a request that crashed loses the right to send. */
    static final Duration SEND_LEASE = Duration.ofSeconds(15);
    /** Errors are kept short: enough to act on, small against DynamoDB's 400 KB item limit. */
    static final int MAX_ERROR_CHARS = 1024;
    /** A claim that meets another copy's newer claim tries again this often before it gives up as unavailable. */
    static final int CLAIM_TRIES = 3;
    /** SQS keeps a message 14 days: a key outlives any job still on its way, until the job's final write renews it. */
    static final Duration KEY_HEADROOM = Duration.ofDays(14);
    static final String PK = "pk";
    /** The dead letter (DLQ message id) the job was last requeued for, and the one whose copy is known sent. */
    static final String REDRIVE_OF = "redriveOf";
    static final String REDRIVE_SENT = "redriveSent";
    /** Until when the running claim's invocation may still be calling (epoch millis). */
    static final String LEASE_UNTIL = "leaseUntil";
    /** The pk of the job's Idempotency-Key item, so the key's expiry can follow the record's. */
    static final String KEY_PK = "keyPk";
    /** The change key (time-ordered, unique) that both list indexes sort by, and their partition attributes. */
    static final String CHANGE_KEY = "changeKey";
    static final String TARGET_STATUS = "targetStatus";
    public static final String BY_STATUS = "byStatus";
    public static final String BY_TARGET_STATUS = "byTargetStatus";
    /** The final write a record's announcement was made for (its updatedAt); another final write is announced again. */
    static final String ANNOUNCED_FOR = "announcedFor";
    private static final Map<String, String> NAMES = Map.of("#status", "status");

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;
    private final Duration ttl;

    public DynamoDbJobStore(DynamoDbClient dynamo, String table, Clock clock, Duration ttl) {
        this.dynamo = dynamo;
        this.table = table;
        this.clock = clock;
        this.ttl = ttl;
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public Creation create(Job job, Optional<IdempotencyKey> key, String requestHash) {
        try {
            return key.isEmpty() ? createPlain(job) : createWithKey(job, key.get(), requestHash, true);
        } catch (SdkException e) {
            return new Creation.Unavailable(describe(e));
        }
    }

    private Creation createPlain(Job job) {
        try {
            dynamo.putItem(b -> b.tableName(table).item(newJobItem(job, Optional.empty()))
                    .conditionExpression("attribute_not_exists(pk)"));
            return new Creation.Created();
        } catch (ConditionalCheckFailedException e) {
            // ids are fresh UUIDv7s: only a bug reuses one, and the existing record must not be replaced
            return new Creation.Unavailable("the job exists already");
        }
    }

    /** The key item and the job item in one transaction: the first request with a key creates both or neither. */
    private Creation createWithKey(Job job, IdempotencyKey key, String requestHash, boolean mayRetry) {
        Map<String, AttributeValue> keyItem = new HashMap<>();
        keyItem.put(PK, s(keyPk(key)));
        keyItem.put("jobId", s(job.id().value()));
        keyItem.put("requestHash", s(requestHash));
        keyItem.put("submittedAt", s(job.submittedAt().toString()));
        keyItem.put("expiresAt", n(keyExpiry()));
        Map<String, AttributeValue> jobItem = newJobItem(job, Optional.of(key));
        jobItem.put("sendLeaseUntil", n(clock.millis() + SEND_LEASE.toMillis()));
        try {
            dynamo.transactWriteItems(b -> b.transactItems(
                    TransactWriteItem.builder().put(Put.builder().tableName(table).item(keyItem)
                            .conditionExpression("attribute_not_exists(pk)").build()).build(),
                    TransactWriteItem.builder().put(Put.builder().tableName(table).item(jobItem)
                            .conditionExpression("attribute_not_exists(pk)").build()).build()));
            return new Creation.Created();
        } catch (TransactionCanceledException e) {
            return repeated(job, key, requestHash, mayRetry);
        }
    }

    /** The key exists: the same request again, or a different one under a used key. */
    private Creation repeated(Job job, IdempotencyKey key, String requestHash, boolean mayRetry) {
        Map<String, AttributeValue> keyItem = get(keyPk(key));
        if (keyItem.isEmpty()) {
            return mayRetry ? createWithKey(job, key, requestHash, false) : new Creation.Unavailable("the key item vanished twice");
        }
        JobId existing = new JobId(keyItem.get("jobId").s());
        if (!keyItem.get("requestHash").s().equals(requestHash)) {
            return new Creation.Conflict(existing);
        }
        Instant submittedAt = Instant.parse(keyItem.get("submittedAt").s());
        Map<String, AttributeValue> jobItem = get(jobPk(existing));
        if (jobItem.isEmpty()) {
            // written in one transaction with the key, the record cannot be missing for long: wait, never replace it
            return new Creation.Repeated(existing, submittedAt, Next.WAIT, JobStatus.QUEUED);
        }
        if (sent(jobItem)) {
            return new Creation.Repeated(existing, submittedAt, Next.ANSWER, status(jobItem));
        }
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Map.of(PK, s(jobPk(existing))))
                    .updateExpression("SET sendLeaseUntil = :until")
                    .conditionExpression("enqueued = :false AND (attribute_not_exists(sendLeaseUntil) OR sendLeaseUntil < :now)")
                    .expressionAttributeValues(Map.of(":until", n(clock.millis() + SEND_LEASE.toMillis()),
                            ":false", AttributeValue.fromBool(false), ":now", n(clock.millis()))));
            return new Creation.Repeated(existing, submittedAt, Next.SEND, JobStatus.QUEUED);
        } catch (ConditionalCheckFailedException e) {
            Map<String, AttributeValue> now = get(jobPk(existing));
            return new Creation.Repeated(existing, submittedAt, sent(now) ? Next.ANSWER : Next.WAIT, status(now));
        }
    }

    @Override
    public Write markEnqueued(JobId id) {
        return write(() -> dynamo.updateItem(b -> b.tableName(table).key(Map.of(PK, s(jobPk(id))))
                .updateExpression("SET enqueued = :true REMOVE sendLeaseUntil")
                .conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(Map.of(":true", AttributeValue.fromBool(true)))));
    }

    @Override
    public Write release(JobId id) {
        return write(() -> dynamo.updateItem(b -> b.tableName(table).key(Map.of(PK, s(jobPk(id))))
                .updateExpression("REMOVE sendLeaseUntil")
                .conditionExpression("enqueued = :false")
                .expressionAttributeValues(Map.of(":false", AttributeValue.fromBool(false)))));
    }

    @Override
    public Write forget(JobId id) {
        return write(() -> dynamo.deleteItem(b -> b.tableName(table).key(Map.of(PK, s(jobPk(id))))
                .conditionExpression("enqueued = :false AND (#status = :queued OR #status = :scheduled) AND attempts = :zero")
                .expressionAttributeNames(NAMES)
                .expressionAttributeValues(Map.of(":false", AttributeValue.fromBool(false), ":queued", s(JobStatus.QUEUED.wire()),
                        ":scheduled", s(JobStatus.SCHEDULED.wire()), ":zero", n(0)))));
    }

    @Override
    public Lookup find(JobId id) {
        try {
            Map<String, AttributeValue> item = get(jobPk(id));
            // a job whose message never reached the queue was never accepted: the caller got a 503
            return item.isEmpty() || !sent(item) ? new Lookup.Missing() : new Lookup.Found(record(item));
        } catch (SdkException e) {
            return new Lookup.Unavailable(describe(e));
        }
    }

    @Override
    public Claim claim(Job job, int attempt, boolean redriven, String token, Instant leaseUntil, int maxAttempts) {
        Event event = redriven ? Event.CLAIM_REDRIVEN : Event.CLAIM;
        int next = attempt;
        try {
            for (int tries = 0; tries < CLAIM_TRIES; tries++) {
                if (next > maxAttempts) {
                    Map<String, AttributeValue> now = get(jobPk(job.id()));
                    return new Claim.OutOfAttempts(now.isEmpty() ? next - 1 : attempts(now), lastError(now));
                }
                Optional<Map<String, AttributeValue>> refused = tryClaim(job, event, next, token, leaseUntil);
                if (refused.isEmpty()) {
                    return new Claim.Claimed(next);
                }
                Map<String, AttributeValue> old = refused.get();
                Optional<Claim> settled = whyNotClaimed(old, event, next, token);
                if (settled.isPresent()) {
                    return settled.get();
                }
                // the record is further on (another copy of the job was called): count on from it
                next = attempts(old) + 1;
            }
            return new Claim.Unavailable("the job record kept moving while this delivery tried to claim it");
        } catch (SdkException e) {
            return new Claim.Unavailable(describe(e));
        }
    }

    /** The claim's conditional write; empty when it was made, else the record as it stood. */
    private Optional<Map<String, AttributeValue>> tryClaim(Job job, Event event, int attempt, String token, Instant leaseUntil) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":running", s(JobStatus.RUNNING.wire()));
        values.put(":attempts", n(attempt));
        values.put(":now", s(clock.instant().toString()));
        values.put(":lease", n(leaseUntil.toEpochMilli()));
        values.put(":expires", n(expiry()));
        values.put(":true", AttributeValue.fromBool(true));
        values.put(":token", s(token));
        Map<String, String> names = new HashMap<>(NAMES);
        String condition = condition(movable(event, values, Optional.empty(), Optional.of("attempts < :attempts")));
        String update = "SET #status = :running, attempts = :attempts, updatedAt = :now, expiresAt = :expires, enqueued = :true,"
                + " claimToken = :token, " + LEASE_UNTIL + " = :lease" + stamp(job.id(), job.request().target(), JobStatus.RUNNING, values)
                + createFields(job, values, names) + " REMOVE sendLeaseUntil, nextAttemptAt";
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Map.of(PK, s(jobPk(job.id()))))
                    .updateExpression(update)
                    .conditionExpression(condition)
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return Optional.empty();
        } catch (ConditionalCheckFailedException e) {
            return Optional.of(e.hasItem() ? e.item() : get(jobPk(job.id())));
        }
    }

    /** Why the claim did not land, as the table says; empty when the record is only further on and may be claimed after it. */
    private Optional<Claim> whyNotClaimed(Map<String, AttributeValue> old, Event event, int attempt, String token) {
        JobStatus status = status(old);
        boolean ours = status == JobStatus.RUNNING && attempts(old) == attempt
                && Optional.ofNullable(old.get("claimToken")).map(AttributeValue::s).filter(token::equals).isPresent();
        if (ours) {
            return Optional.of(new Claim.Claimed(attempt));
        }
        return switch (JobLife.rule(Optional.of(status), event)) {
            case JobLife.Rule.Refused r -> Optional.of(switch (r.why()) {
                case SUCCEEDED -> new Claim.AlreadySucceeded();
                case CANCELLED -> new Claim.Cancelled();
                case FINAL -> new Claim.FinalVerdict(status, attempts(old), lastError(old).orElse("no reason was recorded"));
                default -> new Claim.Unavailable("the job record refused the claim: " + r.why().reason());
            });
            case JobLife.Rule.Move m when m.guard() == JobLife.Guard.LEASE_OVER && !leaseOver(old) ->
                    Optional.of(new Claim.InFlight(Instant.ofEpochMilli(Long.parseLong(old.get(LEASE_UNTIL).n()))));
            case JobLife.Rule.Move m -> Optional.empty();
        };
    }

    @Override
    public Write record(Job job, Event event, int attempt, Optional<Integer> statusCode, Optional<String> error, Details details) {
        JobStatus to = JobLife.target(event);
        Map<String, AttributeValue> values = new HashMap<>();
        Map<String, String> names = new HashMap<>(NAMES);
        values.put(":to", s(to.wire()));
        values.put(":attempts", n(attempt));
        values.put(":now", s(clock.instant().toString()));
        values.put(":expires", n(expiry()));
        boolean claimed = JobLife.movesFrom(event).containsValue(JobLife.Guard.AT_CLAIMED_ATTEMPT);
        StringBuilder set = new StringBuilder("SET #status = :to, updatedAt = :now, expiresAt = :expires, attempts = "
                + (claimed ? ":attempts" : "if_not_exists(attempts, :attempts)") + stamp(job.id(), job.request().target(), to, values));
        List<String> remove = new ArrayList<>();
        if (to != JobStatus.RUNNING) {
            remove.add(LEASE_UNTIL);
        }
        details.nextAttemptAt().ifPresentOrElse(at -> {
            values.put(":next", s(at.toString()));
            set.append(", nextAttemptAt = :next");
        }, () -> remove.add("nextAttemptAt"));
        details.response().ifPresentOrElse(body -> {
            values.put(":response", s(body.length() > MAX_ERROR_CHARS ? body.substring(0, MAX_ERROR_CHARS) : body));
            set.append(", lastResponse = :response");
        }, () -> {
            if (claimed) {
                remove.add("lastResponse");
            }
        });
        statusCode.ifPresentOrElse(code -> {
            values.put(":code", n(code));
            set.append(", lastStatusCode = :code");
        }, () -> {
            if (claimed) {
                remove.add("lastStatusCode");
            }
        });
        if (to == JobStatus.SUCCEEDED) {
            remove.add("lastError");
        } else {
            error.ifPresent(text -> {
                values.put(":error", s(text.length() > MAX_ERROR_CHARS ? text.substring(0, MAX_ERROR_CHARS) + "…" : text));
                set.append(", lastError = :error");
            });
        }
        if (JobLife.createsRecord(event)) {
            set.append(createFields(job, values, names));
        }
        String update = set + (remove.isEmpty() ? "" : " REMOVE " + String.join(", ", remove));
        String condition = condition(movable(event, values, Optional.empty(), Optional.empty()));
        try {
            Map<String, AttributeValue> written = dynamo.updateItem(b -> b.tableName(table).key(Map.of(PK, s(jobPk(job.id()))))
                    .updateExpression(update)
                    .conditionExpression(condition)
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_NEW)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)).attributes();
            if (to.isFinal()) {
                keepKeyWithRecord(written);
            }
            return new Write.Done();
        } catch (ConditionalCheckFailedException e) {
            return new Write.Refused(whyRefused(e.hasItem() ? e.item() : get(jobPk(job.id())), event));
        } catch (SdkException e) {
            return new Write.Unavailable(describe(e));
        }
    }

    /** The table's refusal for the record as it stood, or the guard that failed. */
    private JobLife.Refusal whyRefused(Map<String, AttributeValue> old, Event event) {
        Optional<JobStatus> from = old.isEmpty() ? Optional.empty() : Optional.of(status(old));
        return switch (JobLife.rule(from, event)) {
            case JobLife.Rule.Refused r -> r.why();
            case JobLife.Rule.Move m -> switch (m.guard()) {
                case LEASE_OVER -> JobLife.Refusal.IN_FLIGHT;
                case AT_CLAIMED_ATTEMPT -> JobLife.Refusal.OTHER_ATTEMPT;
                // the move is allowed now: the record changed between the write and the read
                case NONE -> JobLife.Refusal.OTHER_ATTEMPT;
            };
        };
    }

    /** The Idempotency-Key must not expire before its job's record: a final write renews it to the record's expiry. */
    private void keepKeyWithRecord(Map<String, AttributeValue> record) {
        Optional.ofNullable(record.get(KEY_PK)).map(AttributeValue::s).ifPresent(keyPk -> {
            try {
                dynamo.updateItem(b -> b.tableName(table).key(Map.of(PK, s(keyPk)))
                        .updateExpression("SET expiresAt = :expires")
                        .conditionExpression("attribute_exists(pk)")
                        .expressionAttributeValues(Map.of(":expires", record.get("expiresAt"))));
            } catch (ConditionalCheckFailedException e) {
                // the key expired already: nothing left to keep
            }
        });
    }

    @Override
    public Requeue requeue(JobId id, String deadLetterId) {
        Map<String, AttributeValue> current;
        try {
            current = get(jobPk(id));
        } catch (SdkException e) {
            return new Requeue.Unavailable(describe(e));
        }
        if (current.isEmpty()) {
            return new Requeue.NoRecord();
        }
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":queued", s(JobStatus.QUEUED.wire()));
        values.put(":zero", n(0));
        values.put(":now", s(clock.instant().toString()));
        values.put(":expires", n(expiry()));
        values.put(":letter", s(deadLetterId));
        String condition = condition(movable(Event.REQUEUE, values,
                Optional.of("(attribute_not_exists(" + REDRIVE_OF + ") OR " + REDRIVE_OF + " <> :letter)"), Optional.empty()));
        try {
            Map<String, AttributeValue> written = dynamo.updateItem(b -> b.tableName(table).key(Map.of(PK, s(jobPk(id))))
                    .updateExpression("SET #status = :queued, attempts = :zero, updatedAt = :now,"
                            + " expiresAt = :expires, " + REDRIVE_OF + " = :letter"
                            + stamp(id, current.get("target").s(), JobStatus.QUEUED, values)
                            + " REMOVE lastStatusCode, lastError, lastResponse, nextAttemptAt, " + REDRIVE_SENT + ", " + LEASE_UNTIL)
                    .conditionExpression(condition)
                    .expressionAttributeNames(NAMES)
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_NEW)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)).attributes();
            keepKeyWithRecord(written);
            return new Requeue.Requeued();
        } catch (ConditionalCheckFailedException e) {
            return notRequeued(e.hasItem() ? e.item() : get(jobPk(id)), deadLetterId);
        } catch (SdkException e) {
            return new Requeue.Unavailable(describe(e));
        }
    }

    private static Requeue notRequeued(Map<String, AttributeValue> old, String deadLetterId) {
        if (old.isEmpty()) {
            return new Requeue.NoRecord();
        }
        if (Optional.ofNullable(old.get(REDRIVE_OF)).map(AttributeValue::s).filter(deadLetterId::equals).isPresent()) {
            AttributeValue sent = old.get(REDRIVE_SENT);
            return new Requeue.AlreadyRequeued(sent != null && deadLetterId.equals(sent.s()));
        }
        return switch (JobLife.rule(Optional.of(status(old)), Event.REQUEUE)) {
            case JobLife.Rule.Refused r when r.why() == JobLife.Refusal.SUCCEEDED -> new Requeue.AlreadySucceeded();
            case JobLife.Rule.Refused r -> new Requeue.Refused(r.why());
            // the record changed between the write and the read: the caller may try again
            case JobLife.Rule.Move m -> new Requeue.Unavailable("the job record changed while it was being requeued");
        };
    }

    @Override
    public Write redriveSent(JobId id, String deadLetterId) {
        return write(() -> dynamo.updateItem(b -> b.tableName(table).key(Map.of(PK, s(jobPk(id))))
                .updateExpression("SET " + REDRIVE_SENT + " = :letter")
                .conditionExpression(REDRIVE_OF + " = :letter")
                .expressionAttributeValues(Map.of(":letter", s(deadLetterId)))));
    }

    @Override
    public Cancel cancel(JobId id) {
        try {
            for (int tries = 0; tries < CLAIM_TRIES; tries++) {
                Map<String, AttributeValue> old = get(jobPk(id));
                if (old.isEmpty() || !sent(old)) {
                    return new Cancel.NoRecord();
                }
                switch (JobLife.rule(Optional.of(status(old)), Event.CANCEL)) {
                    case JobLife.Rule.Refused r when r.why() == JobLife.Refusal.CANCELLED -> {
                        return new Cancel.AlreadyCancelled(record(old));
                    }
                    case JobLife.Rule.Refused r -> {
                        return new Cancel.Refused(r.why(), record(old));
                    }
                    case JobLife.Rule.Move m -> { }
                }
                Optional<Map<String, AttributeValue>> written = tryCancel(id, old);
                if (written.isPresent()) {
                    keepKeyWithRecord(written.get());
                    boolean inFlight = status(old) == JobStatus.RUNNING && !leaseOver(old);
                    return new Cancel.Cancelled(record(written.get()), inFlight);
                }
                // the record moved between the read and the write: look again
            }
            return new Cancel.Unavailable("the job record kept moving while it was being cancelled");
        } catch (SdkException e) {
            return new Cancel.Unavailable(describe(e));
        }
    }

    /** The cancel's conditional write, from the record as read; empty when the record had moved on. */
    private Optional<Map<String, AttributeValue>> tryCancel(JobId id, Map<String, AttributeValue> old) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":cancelled", s(JobStatus.CANCELLED.wire()));
        values.put(":now", s(clock.instant().toString()));
        values.put(":was", s(status(old).wire()));
        values.put(":changed", old.get("updatedAt"));
        // never earlier than it was: a schedule or message still on its way must find the job cancelled
        long keep = Math.max(expiry(), Long.parseLong(old.get("expiresAt").n()));
        values.put(":expires", n(keep));
        String update = "SET #status = :cancelled, updatedAt = :now, expiresAt = :expires"
                + stamp(id, old.get("target").s(), JobStatus.CANCELLED, values) + " REMOVE " + LEASE_UNTIL + ", nextAttemptAt";
        try {
            return Optional.of(dynamo.updateItem(b -> b.tableName(table).key(Map.of(PK, s(jobPk(id))))
                    .updateExpression(update)
                    .conditionExpression("#status = :was AND updatedAt = :changed")
                    .expressionAttributeNames(NAMES)
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_NEW)).attributes());
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty();
        }
    }

    @Override
    public Listing list(JobQuery query) {
        String index = query.target().isPresent() ? BY_TARGET_STATUS : BY_STATUS;
        String partitionName = query.target().isPresent() ? TARGET_STATUS : "status";
        List<JobStatus> statuses = query.status().map(List::of).orElse(List.of(JobStatus.values()));
        List<String> partitions = statuses.stream()
                .map(st -> query.target().map(t -> t + "#" + st.wire()).orElse(st.wire())).toList();
        Optional<String> low = query.since().map(JobQuery::lowestKey);
        Optional<String> high = query.until().map(JobQuery::highestKey);
        if (query.after().isPresent() && (high.isEmpty() || query.after().get().compareTo(high.get()) < 0)) {
            high = query.after();
        }
        try {
            List<Map<String, AttributeValue>> found = new ArrayList<>();
            for (String partition : partitions) {
                // one more than a page tells whether another follows; and the cursor's own record, read again, is dropped
                found.addAll(queryPartition(index, partitionName, partition, low, high, query.limit() + 1 + (query.after().isPresent() ? 1 : 0)));
            }
            List<Map<String, AttributeValue>> newest = found.stream()
                    .filter(item -> query.after().map(after -> item.get(CHANGE_KEY).s().compareTo(after) < 0).orElse(true))
                    .sorted(java.util.Comparator.comparing((Map<String, AttributeValue> item) -> item.get(CHANGE_KEY).s()).reversed())
                    .toList();
            List<Map<String, AttributeValue>> page = newest.subList(0, Math.min(query.limit(), newest.size()));
            Optional<String> next = newest.size() > query.limit() ? Optional.of(page.getLast().get(CHANGE_KEY).s()) : Optional.empty();
            return new Listing.Page(page.stream().map(DynamoDbJobStore::record).toList(), next);
        } catch (SdkException e) {
            return new Listing.Unavailable(describe(e));
        }
    }

    /** One partition of a list index, newest change first, within the change-key window. */
    private List<Map<String, AttributeValue>> queryPartition(String index, String partitionName, String partition,
                                                             Optional<String> low, Optional<String> high, int limit) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":p", s(partition));
        String condition = "#p = :p";
        if (low.isPresent() && high.isPresent()) {
            values.put(":low", s(low.get()));
            values.put(":high", s(high.get()));
            condition += " AND " + CHANGE_KEY + " BETWEEN :low AND :high";
        } else if (low.isPresent()) {
            values.put(":low", s(low.get()));
            condition += " AND " + CHANGE_KEY + " >= :low";
        } else if (high.isPresent()) {
            values.put(":high", s(high.get()));
            condition += " AND " + CHANGE_KEY + " <= :high";
        }
        String keyCondition = condition;
        return dynamo.query(b -> b.tableName(table).indexName(index)
                .keyConditionExpression(keyCondition)
                .expressionAttributeNames(Map.of("#p", partitionName))
                .expressionAttributeValues(values)
                .scanIndexForward(false)
                .limit(limit)).items();
    }

    @Override
    public Write markAnnounced(JobId id, JobStatus status, Instant updatedAt, Optional<JobId> notification) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":status", s(status.wire()));
        values.put(":updated", s(updatedAt.toString()));
        notification.ifPresent(n -> values.put(":notification", s(n.value())));
        return write(() -> dynamo.updateItem(b -> b.tableName(table).key(Map.of(PK, s(jobPk(id))))
                .updateExpression("SET " + ANNOUNCED_FOR + " = :updated" + (notification.isPresent() ? ", notification = :notification" : ""))
                .conditionExpression("#status = :status AND updatedAt = :updated")
                .expressionAttributeNames(NAMES)
                .expressionAttributeValues(values)));
    }

    /**
     * The condition that the record stands where the table lets {@code event} move it: each status with a
     * move, with the guard that move needs, {@code everywhere} with every status, and {@code unlessFinal}
     * with every status a job is not done in.
     * Written as alternatives of conditions that all hold, since DynamoDB refuses redundant parentheses.
     * Adds the values it names.
     */
    private List<List<String>> movable(Event event, Map<String, AttributeValue> values, Optional<String> everywhere,
                                       Optional<String> unlessFinal) {
        List<List<String>> alternatives = new ArrayList<>();
        if (JobLife.createsRecord(event)) {
            alternatives.add(List.of("attribute_not_exists(pk)"));
        }
        JobLife.movesFrom(event).forEach((status, guard) -> {
            String name = ":s_" + status.wire();
            values.put(name, s(status.wire()));
            List<String> all = new ArrayList<>();
            all.add("#status = " + name);
            switch (guard) {
                case NONE -> { }
                case LEASE_OVER -> {
                    values.put(":nowMillis", n(clock.millis()));
                    all.add("(attribute_not_exists(" + LEASE_UNTIL + ") OR " + LEASE_UNTIL + " < :nowMillis)");
                }
                case AT_CLAIMED_ATTEMPT -> all.add("attempts = :attempts");
            }
            everywhere.ifPresent(all::add);
            if (!status.isFinal()) {
                unlessFinal.ifPresent(all::add);
            }
            alternatives.add(all);
        });
        return alternatives;
    }

    private static String condition(List<List<String>> alternatives) {
        if (alternatives.isEmpty()) {
            return "attribute_not_exists(pk) AND attribute_exists(pk)";
        }
        if (alternatives.size() == 1) {
            return String.join(" AND ", alternatives.getFirst());
        }
        return String.join(" OR ", alternatives.stream()
                .map(all -> all.size() == 1 ? all.getFirst() : "(" + String.join(" AND ", all) + ")").toList());
    }

    /** What a record made by a later event (records were off at submit, or the record expired) needs to be shown. */
    private static String createFields(Job job, Map<String, AttributeValue> values, Map<String, String> names) {
        names.put("#target", "target");
        names.put("#method", "method");
        names.put("#path", "path");
        values.put(":id", s(job.id().value()));
        values.put(":target", s(job.request().target()));
        values.put(":method", s(job.request().method().name()));
        values.put(":path", s(job.request().path()));
        values.put(":created", s(job.submittedAt().toString()));
        StringBuilder more = new StringBuilder();
        job.notifies().ifPresent(subject -> {
            values.put(":notifies", s(subject.value()));
            more.append(", notifies = if_not_exists(notifies, :notifies)");
        });
        job.request().notifyTo().ifPresent(n -> notifyItem(n).forEach((name, value) -> {
            values.put(":" + name, value);
            more.append(", ").append(name).append(" = if_not_exists(").append(name).append(", :").append(name).append(")");
        }));
        return ", jobId = if_not_exists(jobId, :id), #target = if_not_exists(#target, :target),"
                + " #method = if_not_exists(#method, :method), #path = if_not_exists(#path, :path),"
                + " createdAt = if_not_exists(createdAt, :created)" + more;
    }

    private Map<String, AttributeValue> newJobItem(Job job, Optional<IdempotencyKey> key) {
        String now = clock.instant().toString();
        JobStatus status = JobLife.target(job.isScheduled() ? Event.SCHEDULE : Event.SUBMIT);
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(PK, s(jobPk(job.id())));
        item.put("jobId", s(job.id().value()));
        item.put("status", s(status.wire()));
        item.put(CHANGE_KEY, s(JobQuery.changeKey(clock.instant(), job.id())));
        item.put(TARGET_STATUS, s(job.request().target() + "#" + status.wire()));
        if (job.isScheduled()) {
            item.put("runAt", s(job.dueAt().toString()));
        }
        job.request().notifyTo().ifPresent(n -> item.putAll(notifyItem(n)));
        item.put("target", s(job.request().target()));
        item.put("method", s(job.request().method().name()));
        item.put("path", s(job.request().path()));
        item.put("createdAt", s(job.submittedAt().toString()));
        item.put("updatedAt", s(now));
        item.put("attempts", n(0));
        item.put("enqueued", AttributeValue.fromBool(false));
        // a job due later is kept until then and for the retention after it
        item.put("expiresAt", n(Math.max(expiry(), job.dueAt().plus(ttl).getEpochSecond())));
        key.ifPresent(k -> {
            item.put("idempotencyKey", s(k.value()));
            item.put(KEY_PK, s(keyPk(k)));
        });
        return item;
    }

    private static JobRecord record(Map<String, AttributeValue> item) {
        return new JobRecord(
                new JobId(item.get("jobId").s()),
                status(item),
                item.get("target").s(),
                item.get("method").s(),
                item.get("path").s(),
                Instant.parse(item.get("createdAt").s()),
                Instant.parse(item.get("updatedAt").s()),
                attempts(item),
                Optional.ofNullable(item.get("lastStatusCode")).map(v -> Integer.parseInt(v.n())),
                lastError(item),
                Optional.ofNullable(item.get("idempotencyKey")).map(AttributeValue::s),
                Instant.ofEpochSecond(Long.parseLong(item.get("expiresAt").n())),
                new JobRecord.Later(
                        text(item, "runAt").map(Instant::parse),
                        text(item, "nextAttemptAt").map(Instant::parse),
                        text(item, "notifyTarget").map(target -> new Notify(target, text(item, "notifyPath").orElse(""),
                                Optional.ofNullable(item.get("notifyOn")).map(AttributeValue::l).orElse(List.of()).stream()
                                        .map(v -> JobStatus.fromWire(v.s())).collect(java.util.stream.Collectors.toSet()))),
                        text(item, "notification").map(JobId::new),
                        text(item, "notifies").map(JobId::new),
                        text(item, "lastResponse"),
                        text(item, ANNOUNCED_FOR).equals(text(item, "updatedAt"))));
    }

    private static Optional<String> text(Map<String, AttributeValue> item, String name) {
        return Optional.ofNullable(item.get(name)).map(AttributeValue::s);
    }

    private static Map<String, AttributeValue> notifyItem(Notify notify) {
        return Map.of("notifyTarget", s(notify.target()), "notifyPath", s(notify.path()),
                "notifyOn", AttributeValue.fromL(notify.onWire().stream().map(AttributeValue::fromS).toList()));
    }

    /**
     * The attributes every status write sets for the list indexes: the change key (when, and which job) and
     * the target-and-status partition. Adds the values it names.
     */
    private String stamp(JobId id, String target, JobStatus status, Map<String, AttributeValue> values) {
        values.put(":changeKey", s(JobQuery.changeKey(clock.instant(), id)));
        values.put(":targetStatus", s(target + "#" + status.wire()));
        return ", " + CHANGE_KEY + " = :changeKey, " + TARGET_STATUS + " = :targetStatus";
    }

    private static JobStatus status(Map<String, AttributeValue> item) {
        return JobStatus.fromWire(item.get("status").s());
    }

    private static int attempts(Map<String, AttributeValue> item) {
        return Optional.ofNullable(item.get("attempts")).map(v -> Integer.parseInt(v.n())).orElse(0);
    }

    private static Optional<String> lastError(Map<String, AttributeValue> item) {
        return Optional.ofNullable(item.get("lastError")).map(AttributeValue::s);
    }

    private boolean leaseOver(Map<String, AttributeValue> item) {
        return Optional.ofNullable(item.get(LEASE_UNTIL)).map(v -> Long.parseLong(v.n()) < clock.millis()).orElse(true);
    }

    /** Sent: marked enqueued, or already moved on by the consumer. */
    private static boolean sent(Map<String, AttributeValue> item) {
        return Optional.ofNullable(item.get("enqueued")).map(AttributeValue::bool).orElse(false)
                || (status(item) != JobStatus.QUEUED && status(item) != JobStatus.SCHEDULED);
    }

    private Map<String, AttributeValue> get(String pk) {
        return dynamo.getItem(b -> b.tableName(table).key(Map.of(PK, s(pk))).consistentRead(true)).item();
    }

    private Write write(Runnable update) {
        try {
            update.run();
            return new Write.Done();
        } catch (ConditionalCheckFailedException e) {
            return new Write.Stale();
        } catch (SdkException e) {
            return new Write.Unavailable(describe(e));
        }
    }

    private long expiry() {
        return clock.instant().plus(ttl).getEpochSecond();
    }

    private long keyExpiry() {
        return clock.instant().plus(ttl).plus(KEY_HEADROOM).getEpochSecond();
    }

    static String jobPk(JobId id) {
        return "job#" + id.value();
    }

    /** Hashed: the key is the client's text and any length up to 255; the item key stays short and opaque. */
    static String keyPk(IdempotencyKey key) {
        return "key#" + RequestHash.sha256(key.scope() + "\n" + key.value());
    }
}
