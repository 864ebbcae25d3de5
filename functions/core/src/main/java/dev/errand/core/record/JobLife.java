package dev.errand.core.record;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A job's whole life in one place: which event moves it from which status to which (the table below, which
 * {@code DynamoDbJobStore} enforces with conditional writes and docs/api.md shows), how its attempts are
 * counted, and how long it may be put off without a call.
 *
 * In the table, † marks a move allowed only once the running call's lease is over (its invocation has
 * ended), ‡ one allowed only at the attempt claimed. {@link #markdown()} renders it; a test holds docs/api.md
 * to that rendering.
 */
public final class JobLife {

    /** A day: longer than any outage a provider should be waited out for without a person looking (MaxDeferralSeconds). */
    public static final Duration DEFAULT_MAX_DEFERRAL = Duration.ofDays(1);

    private JobLife() {}

    /** What can happen to a job, in the table's column order. */
    public enum Event {
        SUBMIT("submit", "POST /jobs accepts it"),
        SCHEDULE("schedule", "POST /jobs accepts it for later"),
        CLAIM("claim", "a delivery is about to call it"),
        CLAIM_REDRIVEN("claim (redriven)", "a delivery of its dead letter, sent back to the jobs queue, is about to call it"),
        SUCCEED("succeed", "the claimed call was answered 2xx"),
        RETRY("retry", "the claimed call failed in a way worth retrying, and attempts are left"),
        REFUSE("refuse", "the claimed call was refused for good (4xx, 3xx, 501)"),
        EXHAUST("exhaust", "the claimed call was the last allowed one, and it failed"),
        DROP("drop", "refused without a call (unreadable message, unknown target, secret refused)"),
        EXPIRE("expire", "given up without a call (out of attempts, or put off for longer than MaxDeferralSeconds)"),
        CANCEL("cancel", "its owner cancels it (DELETE /jobs/{jobId})"),
        REQUEUE("requeue", "an operator redrives its dead letter (errand dlq redrive)");

        private final String label;
        private final String meaning;

        Event(String label, String meaning) {
            this.label = label;
            this.meaning = meaning;
        }

        public String label() {
            return label;
        }

        public String meaning() {
            return meaning;
        }
    }

    /** Why an event does not move a job. */
    public enum Refusal {
        EXISTS("the job exists already"),
        NO_RECORD("there is no such job"),
        UNCLAIMED("no call was claimed for this attempt: the event is late or repeated"),
        SUCCEEDED("the job already succeeded"),
        FINAL("the job's verdict is final: it is in the dead-letter queue"),
        CANCELLED("the job was cancelled"),
        NOT_DEAD_LETTERED("the job has no dead letter to redrive"),
        /** A guard of the table's, not a cell: a running call's lease is not over. */
        IN_FLIGHT("a call for the job is in flight"),
        /** A guard of the table's, not a cell: the record is at another attempt than the one claimed. */
        OTHER_ATTEMPT("the record is at another attempt than the one claimed");

        private final String reason;

        Refusal(String reason) {
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }

    /** What besides the status a move needs. */
    public enum Guard {
        NONE,
        /** The running call's lease is over: its invocation has ended, so no call of it is still in flight. */
        LEASE_OVER,
        /** The record is at the attempt this event's call claimed. */
        AT_CLAIMED_ATTEMPT
    }

    /** One cell: the status an event moves a job to, or why it does not. */
    public sealed interface Rule {
        record Move(JobStatus to, Guard guard) implements Rule {}

        record Refused(Refusal why) implements Rule {}
    }

    private static final Map<Event, Rule> NO_RECORD_ROW = row(
            go(JobStatus.QUEUED), go(JobStatus.SCHEDULED), go(JobStatus.RUNNING), go(JobStatus.RUNNING),
            no(Refusal.UNCLAIMED), no(Refusal.UNCLAIMED), no(Refusal.UNCLAIMED), no(Refusal.UNCLAIMED),
            go(JobStatus.FAILED), go(JobStatus.DEAD), no(Refusal.NO_RECORD), no(Refusal.NO_RECORD));

    private static final Map<JobStatus, Map<Event, Rule>> TABLE = new EnumMap<>(JobStatus.class);

    static {
        Rule exists = no(Refusal.EXISTS);
        Rule unclaimed = no(Refusal.UNCLAIMED);
        TABLE.put(JobStatus.SCHEDULED, row(exists, exists, go(JobStatus.RUNNING), go(JobStatus.RUNNING),
                unclaimed, unclaimed, unclaimed, unclaimed,
                go(JobStatus.FAILED), go(JobStatus.DEAD), go(JobStatus.CANCELLED), no(Refusal.NOT_DEAD_LETTERED)));
        // requeue from queued or retrying: a dead letter whose record write was lost leaves the record behind
        TABLE.put(JobStatus.QUEUED, row(exists, exists, go(JobStatus.RUNNING), go(JobStatus.RUNNING),
                unclaimed, unclaimed, unclaimed, unclaimed,
                go(JobStatus.FAILED), go(JobStatus.DEAD), go(JobStatus.CANCELLED), go(JobStatus.QUEUED)));
        TABLE.put(JobStatus.RUNNING, row(exists, exists, after(JobStatus.RUNNING), after(JobStatus.RUNNING),
                claimed(JobStatus.SUCCEEDED), claimed(JobStatus.RETRYING), claimed(JobStatus.FAILED), claimed(JobStatus.DEAD),
                after(JobStatus.FAILED), after(JobStatus.DEAD), go(JobStatus.CANCELLED), go(JobStatus.QUEUED)));
        TABLE.put(JobStatus.RETRYING, row(exists, exists, go(JobStatus.RUNNING), go(JobStatus.RUNNING),
                unclaimed, unclaimed, unclaimed, unclaimed,
                go(JobStatus.FAILED), go(JobStatus.DEAD), go(JobStatus.CANCELLED), go(JobStatus.QUEUED)));
        Rule succeeded = no(Refusal.SUCCEEDED);
        TABLE.put(JobStatus.SUCCEEDED, row(exists, exists, succeeded, succeeded, succeeded, succeeded, succeeded,
                succeeded, succeeded, succeeded, succeeded, succeeded));
        Rule fin = no(Refusal.FINAL);
        for (JobStatus deadLettered : List.of(JobStatus.FAILED, JobStatus.DEAD)) {
            TABLE.put(deadLettered, row(exists, exists, fin, go(JobStatus.RUNNING), fin, fin, fin, fin, fin, fin, fin,
                    go(JobStatus.QUEUED)));
        }
        Rule cancelled = no(Refusal.CANCELLED);
        TABLE.put(JobStatus.CANCELLED, row(exists, exists, cancelled, cancelled, cancelled, cancelled, cancelled,
                cancelled, cancelled, cancelled, cancelled, cancelled));
    }

    /** The table's cell for a job in {@code from} (empty: no record) and this event. */
    public static Rule rule(Optional<JobStatus> from, Event event) {
        return from.map(TABLE::get).orElse(NO_RECORD_ROW).get(event);
    }

    /** The statuses this event moves a job from, each with the guard its move needs. */
    public static Map<JobStatus, Guard> movesFrom(Event event) {
        Map<JobStatus, Guard> from = new EnumMap<>(JobStatus.class);
        TABLE.forEach((status, row) -> {
            if (row.get(event) instanceof Rule.Move move) {
                from.put(status, move.guard());
            }
        });
        return from;
    }

    /** Whether this event may create the record when there is none. */
    public static boolean createsRecord(Event event) {
        return NO_RECORD_ROW.get(event) instanceof Rule.Move;
    }

    /** The status an event leads to, wherever it is allowed (each event has one). */
    public static JobStatus target(Event event) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(NO_RECORD_ROW), TABLE.values().stream())
                .map(row -> row.get(event))
                .flatMap(r -> r instanceof Rule.Move m ? java.util.stream.Stream.of(m.to()) : java.util.stream.Stream.empty())
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no status moves on " + event));
    }

    /** The table as a Markdown table, as docs/api.md shows it. */
    public static String markdown() {
        StringBuilder out = new StringBuilder("| status \\ event |");
        for (Event e : Event.values()) {
            out.append(' ').append(e.label()).append(" |");
        }
        out.append("\n|---|").append("---|".repeat(Event.values().length)).append('\n');
        Map<String, Map<Event, Rule>> rows = new LinkedHashMap<>();
        rows.put("(no record)", NO_RECORD_ROW);
        TABLE.forEach((status, row) -> rows.put(status.wire(), row));
        rows.forEach((name, row) -> {
            out.append("| ").append(name).append(" |");
            for (Event e : Event.values()) {
                out.append(' ').append(cell(row.get(e))).append(" |");
            }
            out.append('\n');
        });
        return out.toString();
    }

    private static String cell(Rule rule) {
        return switch (rule) {
            case Rule.Move m -> m.to().wire() + switch (m.guard()) {
                case NONE -> "";
                case LEASE_OVER -> " †";
                case AT_CLAIMED_ATTEMPT -> " ‡";
            };
            case Rule.Refused r -> "× " + r.why().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        };
    }

    private static Map<Event, Rule> row(Rule... cells) {
        if (cells.length != Event.values().length) {
            throw new IllegalStateException("a row of the job life table has one cell per event, had " + cells.length);
        }
        Map<Event, Rule> row = new EnumMap<>(Event.class);
        Event[] events = Event.values();
        for (int i = 0; i < events.length; i++) {
            row.put(events[i], cells[i]);
        }
        return row;
    }

    private static Rule go(JobStatus to) {
        return new Rule.Move(to, Guard.NONE);
    }

    private static Rule after(JobStatus to) {
        return new Rule.Move(to, Guard.LEASE_OVER);
    }

    private static Rule claimed(JobStatus to) {
        return new Rule.Move(to, Guard.AT_CLAIMED_ATTEMPT);
    }

    private static Rule no(Refusal why) {
        return new Rule.Refused(why);
    }

    // ---------------------------------------------------------------- attempts

    /**
     * The call number a receive makes: the calls the message carries (made before this copy was sent) plus
     * its receives, since SQS counts receives, not calls. A job record at a later attempt wins (the claim's
     * business): copies of a job then never add up to more than MaxAttempts calls.
     */
    public static int attempt(int priorAttempts, int receiveCount) {
        return priorAttempts + receiveCount;
    }

    // ---------------------------------------------------------------- deferrals

    /**
     * When the job's current run of deferrals began. A deferred job is re-sent as a new copy carrying that
     * moment; a copy deferred on its first receive continues the run, while a copy received before (so a
     * call, or at least a try, came between) starts a new one.
     */
    public static Instant deferredSince(Optional<Instant> carried, int receiveCount, Instant now) {
        return receiveCount == 1 ? carried.orElse(now) : now;
    }

    /** Whether a job put off since {@code since} has waited past the bound, and must go to the dead-letter queue. */
    public static boolean deferredTooLong(Instant since, Instant now, Duration maxDeferral) {
        return Duration.between(since, now).compareTo(maxDeferral) >= 0;
    }

    /**
     * How long a deferred job waits: as asked, but never past the bound, so a job put off for an hour-long
     * outage comes back when its time is up and is dead-lettered then, not one long wait later.
     */
    public static Duration deferralWait(Duration asked, Instant since, Instant now, Duration maxDeferral) {
        Duration wait = asked.isNegative() ? Duration.ZERO : asked;
        Duration left = Duration.between(now, since.plus(maxDeferral));
        return left.compareTo(wait) < 0 ? left : wait;
    }

    /** The reason a job given up on for waiting too long carries to the dead-letter queue. */
    public static String deferredTooLongReason(Instant since, Duration maxDeferral, String lastReason) {
        return "put off without a call since " + since + ", longer than MaxDeferralSeconds (" + maxDeferral.toSeconds()
                + " s); last put off because: " + lastReason;
    }

    /** Every event's name and meaning, for docs. */
    public static String events() {
        return Arrays.stream(Event.values()).map(e -> "- **" + e.label() + "**: " + e.meaning())
                .collect(Collectors.joining("\n"));
    }
}
