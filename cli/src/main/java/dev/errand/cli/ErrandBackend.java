package dev.errand.cli;

import dev.errand.aws.CloudWatchJson;
import dev.errand.aws.Lazy;
import dev.errand.aws.SqsBatches;
import dev.errand.cli.console.Backend;
import dev.errand.core.job.JobId;
import dev.errand.core.json.Json;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The console's backend: the CLI's own code over the queues (dlq list's read, dlq redrive's redrive), the
 * API (the client of status, jobs list and cancel), the targets document and the target state table (errand
 * targets' {@link TargetControl}), with the settings every command uses.
 */
final class ErrandBackend implements Backend {

    /** The targets document changes rarely; reading it on every refresh would only cost SSM calls. */
    static final Duration TARGETS_FOR = Duration.ofSeconds(30);
    /** CloudWatch's oldest-message metric comes by the minute: reading it more often costs and shows nothing new. */
    static final Duration OLDEST_FOR = Duration.ofSeconds(60);
    /** The console redraws every few seconds; the states are read again at most this often, as a consumer trusts its copy. */
    static final Duration STATES_FOR = Duration.ofSeconds(1);
    /** The window the oldest-message metric is read over: its last minutes. */
    static final Duration OLDEST_WINDOW = Duration.ofMinutes(5);
    static final Unavailable NO_API = new Unavailable("searching and cancelling jobs go through the jobs API, and none is configured:"
            + " give --api-url, or name the stack with --stack");
    static final Unavailable NO_RECORDS = new Unavailable("searching jobs needs job records, and no table is configured: give --table"
            + " (the stack's JobsTableName), or name a stack deployed with JobRecords=Enabled");

    private final Settings settings;
    private final Context context;
    private final CloudWatchJson cloudWatch;
    private final String jobsQueueUrl;
    private final String deadLetterQueueUrl;
    private final Lazy<ApiClient> api;
    private final TargetControl control;
    private Optional<Cached<Map<String, dev.errand.core.fleet.TargetState>>> states = Optional.empty();
    private Optional<Cached<Configured>> targets = Optional.empty();
    private Optional<Cached<Optional<Long>>> oldest = Optional.empty();

    /** A value read at a time, kept for a while. */
    private record Cached<T>(T value, Instant at) {}

    ErrandBackend(Settings settings, Context context, CloudWatchJson cloudWatch) {
        this.settings = settings;
        this.context = context;
        this.cloudWatch = cloudWatch;
        this.jobsQueueUrl = settings.jobsQueueUrl();
        this.deadLetterQueueUrl = settings.deadLetterQueueUrl();
        this.api = new Lazy<>(() -> Api.client(settings, context));
        this.control = new TargetControl(settings, context.clock());
    }

    @Override
    public String where() {
        return settings.where();
    }

    /** Search and cancel as the API has them: both need the API; the search also job records (cancel's API says when they are off). */
    @Override
    public Capabilities capabilities() {
        // target control is there when the target state table is configured and answers
        return new Capabilities(noSearch(), noCancel(), control.unavailable().map(Unavailable::new));
    }

    private Optional<Unavailable> noCancel() {
        return settings.knownApiUrl().isPresent() ? Optional.empty() : Optional.of(NO_API);
    }

    private Optional<Unavailable> noSearch() {
        return noCancel().or(() -> settings.table().isPresent() ? Optional.empty() : Optional.of(NO_RECORDS));
    }

    @Override
    public QueueSnapshot queues() {
        QueueDepth jobs = QueueDepth.of(settings.sqs(), jobsQueueUrl);
        QueueDepth dead = QueueDepth.of(settings.sqs(), deadLetterQueueUrl);
        String note = settings.local()
                ? "ElasticMQ does not report it locally; on AWS it is CloudWatch's ApproximateAgeOfOldestMessage"
                : "CloudWatch's ApproximateAgeOfOldestMessage, by the minute";
        return new QueueSnapshot(depth(jobs), depth(dead), settings.local() ? Optional.empty() : oldestJobSeconds(), note);
    }

    @Override
    public List<Letter> deadLetters(int limit) {
        List<DeadLetter> letters = new DeadLetterQueue(settings.sqs(), deadLetterQueueUrl).peek(limit, DeadLetterQueue.READ_HOLD);
        Optional<Integer> maxReceives = letters.stream().anyMatch(DeadLetter::movedBySqs)
                ? DeadLetterQueue.maxReceiveCount(settings.sqs(), jobsQueueUrl) : Optional.empty();
        Instant now = context.clock().instant();
        return letters.stream().map(l -> new Letter(l.jobId().map(Object::toString), l.messageId(), l.target(), l.attempts(), l.movedBySqs(),
                l.reason(maxReceives), l.age(now).toSeconds())).toList();
    }

    @Override
    public RedriveReport redrive(RedriveOrder order, boolean dryRun, Consumer<RedriveLine> each) {
        List<String> notParsed = new ArrayList<>();
        Selection selection = order.jobIds().<Selection>map(ids -> {
            List<JobId> parsed = new ArrayList<>();
            ids.forEach(id -> JobId.parse(id).ifPresentOrElse(parsed::add, () -> notParsed.add(id)));
            return Selection.Jobs.of(parsed);
        }).orElseGet(Selection.All::new);
        Pace pace = order.rate().map(r -> Pace.perSecond(r, context.clock(), context.stop()))
                .orElseGet(() -> Pace.unlimited(context.clock(), context.stop()));
        DeadLetterQueue dlq = new DeadLetterQueue(settings.sqs(), deadLetterQueueUrl);
        Redrive.Report report = new Redrive(dlq, new SqsBatches(settings.sqs()), jobsQueueUrl, settings.jobStore(context.clock()),
                Duration.ofSeconds(DlqRedrive.DEFAULT_HOLD_SECONDS), context.stop())
                .run(selection, pace, dryRun, h -> each.accept(new RedriveLine(h.verdict().label,
                        h.letter().jobId().map(Object::toString).orElse("message " + h.letter().messageId()),
                        h.letter().target().orElse("-"), h.detail())));
        Map<String, Long> counts = new TreeMap<>();
        report.handled().forEach(h -> counts.merge(h.verdict().label, 1L, Long::sum));
        List<String> notFound = new ArrayList<>(notParsed);
        report.notFound().forEach(id -> notFound.add(id.value()));
        return new RedriveReport(counts, notFound, report.stopped());
    }

    @Override
    public JobLookup job(String jobId) {
        if (JobId.parse(jobId).isEmpty()) {
            return new JobLookup.NotFound("'" + jobId + "' is not a job id (a lower-case UUIDv7, as the dead letters show them)");
        }
        return switch (api.get().get("/jobs/" + jobId)) {
            case ApiClient.Reply.Answered a when a.status() == 200 && Json.parse(a.body()) instanceof Json.Parsed.Value v
                    && v.value() instanceof Map<?, ?> m -> new JobLookup.Found(record(m));
            case ApiClient.Reply.Answered a when a.status() == 404 -> new JobLookup.NotFound(
                    "no such job: never accepted, its record expired (7 days by default), or job records are off");
            case ApiClient.Reply.Answered a -> new JobLookup.Failed("the API answered " + a.status() + ": " + a.body());
            case ApiClient.Reply.Unreachable u -> new JobLookup.Failed(u.detail());
        };
    }

    @Override
    public JobSearch searchJobs(JobQuery query) {
        Optional<Unavailable> unavailable = noSearch();
        if (unavailable.isPresent()) {
            return new JobSearch.Unavailable(unavailable.get());
        }
        List<String> bad = new ArrayList<>();
        Optional<Instant> since = query.since().flatMap(t -> time("since", t, bad));
        Optional<Instant> until = query.until().flatMap(t -> time("until", t, bad));
        if (!bad.isEmpty()) {
            return new JobSearch.Invalid(String.join("; ", bad));
        }
        ApiClient.Reply reply = api.get().listJobs(new ApiClient.Search(query.status(), query.target(), since, until, query.limit(), query.cursor()));
        return switch (reply) {
            case ApiClient.Reply.Answered a when a.status() == 200 -> ApiClient.Page.of(a.body())
                    .<JobSearch>map(p -> new JobSearch.Page(p.jobs(), p.cursor()))
                    .orElseGet(() -> new JobSearch.Failed("the API answered 200 with no page of jobs: " + a.body()));
            case ApiClient.Reply.Answered a when a.status() == 400 -> new JobSearch.Invalid(problemDetail(a.body()));
            case ApiClient.Reply.Answered a when a.status() == 501 -> new JobSearch.Unavailable(new Unavailable(problemDetail(a.body())));
            case ApiClient.Reply.Answered a -> new JobSearch.Failed("the API answered " + a.status() + ": " + problemDetail(a.body()));
            case ApiClient.Reply.Unreachable u -> new JobSearch.Failed(u.detail());
        };
    }

    @Override
    public Action cancelJob(String jobId) {
        if (JobId.parse(jobId).isEmpty()) {
            return new Action.Refused("'" + jobId + "' is not a job id (a lower-case UUIDv7)");
        }
        return switch (api.get().cancel(jobId)) {
            case ApiClient.Reply.Answered a when a.status() == 200 -> new Action.Done(cancelled(a.body()));
            case ApiClient.Reply.Answered a when a.status() == 409 -> new Action.Refused(over(a.body()));
            case ApiClient.Reply.Answered a when a.status() == 404 -> new Action.Refused("not cancelled: no such job (never accepted,"
                    + " or its record expired)");
            case ApiClient.Reply.Answered a when a.status() == 501 -> new Action.NotDone(new Unavailable(problemDetail(a.body())));
            case ApiClient.Reply.Answered a -> new Action.Refused("not cancelled: the API answered " + a.status() + ": " + problemDetail(a.body()));
            case ApiClient.Reply.Unreachable u -> new Action.Refused("not cancelled: " + u.detail());
        };
    }

    /** What a 200 of DELETE says: cancelled, and whether a call in flight may still reach the provider or the news is still to go out. */
    private static String cancelled(String body) {
        Map<?, ?> record = Json.parse(body) instanceof Json.Parsed.Value v && v.value() instanceof Map<?, ?> m ? m : Map.of();
        List<String> parts = new ArrayList<>(List.of("cancelled: no call is made from now on"));
        Optional.ofNullable(record.get("note")).ifPresent(n -> parts.add(String.valueOf(n)));
        Optional.ofNullable(record.get("announcement")).ifPresent(n -> parts.add("announcement " + n));
        return String.join("; ", parts);
    }

    /** What a 409 of DELETE says: the job is over, and how it ended (the problem carries its record). */
    private static String over(String body) {
        return Json.parse(body) instanceof Json.Parsed.Value v && v.value() instanceof Map<?, ?> problem
                && problem.get("job") instanceof Map<?, ?> job && job.get("status") instanceof String status
                ? "not cancelled: the job is already over (" + status + "); only a scheduled, queued, running or retrying job can be"
                        + " cancelled"
                : "not cancelled: the job is already over; " + problemDetail(body);
    }

    private static Optional<Instant> time(String name, String text, List<String> bad) {
        Optional<Instant> at = ApiClient.Search.time(text);
        if (at.isEmpty()) {
            bad.add(name + " takes an RFC 3339 time such as 2026-11-25T10:00:00Z, was '" + text + "'");
        }
        return at;
    }

    /** A problem's detail, with each of its errors ("/status: must be one of ..."); the body itself when it is no problem. */
    private static String problemDetail(String body) {
        if (!(Json.parse(body) instanceof Json.Parsed.Value v && v.value() instanceof Map<?, ?> problem && problem.get("detail") instanceof String detail)) {
            return body;
        }
        List<String> parts = new ArrayList<>(List.of(detail));
        if (problem.get("errors") instanceof List<?> errors) {
            errors.stream().filter(Map.class::isInstance).map(e -> (Map<?, ?>) e)
                    .forEach(e -> parts.add(e.get("pointer") + ": " + e.get("detail")));
        }
        return String.join("; ", parts);
    }

    @Override
    public synchronized Configured targets() {
        Instant now = context.clock().instant();
        if (targets.isEmpty() || Duration.between(targets.get().at(), now).compareTo(TARGETS_FOR) >= 0) {
            targets = Optional.of(new Cached<>(control.configured(), now));
        }
        return targets.get().value();
    }

    /** A page asks for each target in turn: one read of all the configured targets serves them for {@link #STATES_FOR}. */
    @Override
    public Optional<TargetState> targetState(String target) {
        Optional<TargetConfig> config = targets().targets().stream().filter(t -> t.name().equals(target)).findFirst();
        return config.flatMap(c -> Optional.ofNullable(states().get(target)))
                .map(s -> {
                    Map<String, String> details = TargetControl.details(s, config.get().rate(), context.clock().instant());
                    return new TargetState(details.get("state"), details);
                });
    }

    /** The configured targets' states; none when the table is not there (the capabilities say why). */
    private synchronized Map<String, dev.errand.core.fleet.TargetState> states() {
        Instant now = context.clock().instant();
        if (states.isEmpty() || Duration.between(states.get().at(), now).compareTo(STATES_FOR) >= 0) {
            List<String> names = targets().targets().stream().map(TargetConfig::name).toList();
            Map<String, dev.errand.core.fleet.TargetState> read = switch (control.read(names)) {
                case TargetControl.States.Found f -> f.states();
                case TargetControl.States.NoTable n -> Map.of();
                case TargetControl.States.Unavailable u -> Map.of();
            };
            states = Optional.of(new Cached<>(read, now));
        }
        return states.get().value();
    }

    @Override
    public Action pauseTarget(String target, Duration duration, String reason) {
        String by = TargetControl.operator(context.env()) + " (console)";
        return changed(control.pause(target, duration.isZero() || duration.isNegative() ? Optional.empty() : Optional.of(duration), reason, by));
    }

    @Override
    public Action resumeTarget(String target) {
        return changed(control.resume(target));
    }

    /** The page reads the new state at once: the cached copy is dropped. */
    private Action changed(TargetControl.Change change) {
        synchronized (this) {
            states = Optional.empty();
        }
        return switch (change) {
            case TargetControl.Change.Done d -> new Action.Done(d.detail());
            case TargetControl.Change.Refused r -> new Action.Refused(r.detail());
            case TargetControl.Change.Failed f -> new Action.Refused(f.detail());
        };
    }

    /** The jobs queue's oldest message, as CloudWatch last measured it (AWS/SQS, by the minute). */
    private synchronized Optional<Long> oldestJobSeconds() {
        Instant now = context.clock().instant();
        if (oldest.isEmpty() || Duration.between(oldest.get().at(), now).compareTo(OLDEST_FOR) >= 0) {
            oldest = Optional.of(new Cached<>(readOldest(now), now));
        }
        return oldest.get().value();
    }

    private Optional<Long> readOldest(Instant now) {
        String queueName = URI.create(jobsQueueUrl).getPath().replaceFirst(".*/", "");
        Map<String, Object> query = Map.of("Id", "oldest", "MetricStat", Map.of("Period", 60, "Stat", "Maximum",
                "Metric", Map.of("Namespace", "AWS/SQS", "MetricName", "ApproximateAgeOfOldestMessage",
                        "Dimensions", List.of(Map.of("Name", "QueueName", "Value", queueName)))));
        if (cloudWatch.call("GetMetricData", Map.of("StartTime", now.minus(OLDEST_WINDOW).getEpochSecond(), "EndTime", now.getEpochSecond(),
                "MetricDataQueries", List.of(query), "ScanBy", "TimestampDescending")) instanceof CloudWatchJson.Reply.Ok ok
                && ok.body().get("MetricDataResults") instanceof List<?> results && !results.isEmpty()
                && results.getFirst() instanceof Map<?, ?> result && result.get("Values") instanceof List<?> values
                && !values.isEmpty() && values.getFirst() instanceof Number latest) {
            return Optional.of(latest.longValue());
        }
        return Optional.empty();
    }

    private static Depth depth(QueueDepth d) {
        return new Depth(d.visible(), d.inFlight(), d.delayed());
    }

    private static Map<String, Object> record(Map<?, ?> m) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }
}
