package dev.errand.core.api;

import dev.errand.core.api.Submissions.Submitted;
import dev.errand.core.job.Job;
import dev.errand.core.job.JobId;
import dev.errand.core.job.JobIds;
import dev.errand.core.json.Json;
import dev.errand.core.log.MetricCatalog;
import dev.errand.core.log.Metrics;
import dev.errand.core.problem.Problem;
import dev.errand.core.record.IdempotencyKey;
import dev.errand.core.record.JobStore;
import dev.errand.core.record.RequestHash;
import dev.errand.core.validation.FieldError;
import dev.errand.core.validation.JobRequestReader;
import dev.errand.core.validation.Pointer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * The submitting side of the jobs API: {@code POST /jobs} and {@code POST /jobs/batch}. Validates, accepts
 * what is valid through {@link Submissions}, and answers with exactly what was queued: a job is reported
 * queued only after SQS accepted it. {@link StatusApi} answers {@code GET /jobs/{jobId}}.
 */
public final class JobsApi {

    public static final String SUBMIT_ROUTE = "POST /jobs";
    public static final String BATCH_ROUTE = "POST /jobs/batch";
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    /** SendMessageBatch takes 10; more than 100 per request would make one slow request hold many jobs hostage. */
    public static final int MAX_BATCH_JOBS = 100;
    /** Lambda takes at most 6 MB per synchronous invocation, the event's own wrapping included. */
    public static final int MAX_BATCH_REQUEST_BYTES = 5 * 1024 * 1024;
    /**
     * One job's request may spell its body and headers with escapes (six bytes for one character), so a job
     * within every limit can be several times their size as sent; the limits themselves are checked after parsing.
     */
    public static final int MAX_JOB_REQUEST_BYTES = MAX_BATCH_REQUEST_BYTES;
    /** An SQS or DynamoDB outage or throttle clears in seconds; a client told to wait longer would only delay its jobs. */
    public static final int RETRY_AFTER_SECONDS = StatusApi.RETRY_AFTER_SECONDS;
    /** A request waiting on a concurrent one with the same key should come back in about the time a send takes. */
    public static final int IN_PROGRESS_RETRY_AFTER_SECONDS = 1;

    private final JobRequestReader reader;
    private final Submissions submissions;
    private final JobIds ids;
    private final Clock clock;
    private final int maxJobRequestBytes;
    private final Metrics metrics;

    public JobsApi(JobRequestReader reader, JobQueue queue, JobStore store, JobIds ids, Clock clock, int maxBodyBytes,
                   Metrics metrics) {
        this(reader, queue, store, ids, clock, maxBodyBytes, metrics, new CancelApi(store, JobScheduler.NONE,
                new dev.errand.core.announce.Announcements(store, dev.errand.core.announce.Announcer.NONE, clock)));
    }

    /** Answers DELETE /jobs/{jobId}, and GET /jobs where job records are off (then only to refuse it). */
    private final CancelApi cancel;
    private final ListApi list;
    /** A notification is announced from the job's record: without records, a job asking for one is refused. */
    private final boolean recordsOn;

    /** With cancel and search: the same store, and the scheduler and announcements a cancel needs. */
    public JobsApi(JobRequestReader reader, JobQueue queue, JobStore store, JobIds ids, Clock clock, int maxBodyBytes,
                   Metrics metrics, CancelApi cancel) {
        this.reader = reader;
        this.submissions = new Submissions(queue, store);
        this.ids = ids;
        this.clock = clock;
        this.maxJobRequestBytes = MAX_JOB_REQUEST_BYTES;
        this.metrics = metrics;
        this.cancel = cancel;
        this.list = new ListApi(store);
        this.recordsOn = store.enabled();
    }

    public ApiResponse handle(ApiRequest request) {
        return switch (request.routeKey()) {
            case SUBMIT_ROUTE -> submit(request);
            case BATCH_ROUTE -> submitBatch(request);
            case CancelApi.CANCEL_ROUTE -> cancel.handle(request);
            case ListApi.LIST_ROUTE -> list.handle(request);
            default -> ApiResponse.problem(Problem.of(Problem.Type.NOT_FOUND, "no route for " + request.routeKey()));
        };
    }

    private ApiResponse submit(ApiRequest request) {
        if (request.bodyBytes() > maxJobRequestBytes) {
            return tooLarge(request.bodyBytes(), maxJobRequestBytes);
        }
        Optional<String> keyProblem = request.header(IDEMPOTENCY_KEY).flatMap(IdempotencyKey::problem);
        return switch (Json.parse(request.body())) {
            case Json.Parsed.Malformed m -> invalid(withKeyProblem(List.of(malformed(m)), keyProblem));
            case Json.Parsed.Value v -> switch (read(v.value(), Pointer.ROOT)) {
                case JobRequestReader.Read.Invalid invalid -> invalid(withKeyProblem(invalid.errors(), keyProblem));
                case JobRequestReader.Read.Ok ok when keyProblem.isPresent() -> invalid(withKeyProblem(List.of(), keyProblem));
                case JobRequestReader.Read.Ok ok -> answerOne(accept(ok, key(request)));
            };
        };
    }

    private ApiResponse answerOne(Submissions.Request request) {
        return switch (submit(List.of(request)).getFirst()) {
            case Submitted.Queued q -> {
                ApiResponse answer = ApiResponse.json(202, queued(q)).withHeader("Location", link(q.job()));
                yield q.replayed() ? answer.withHeader("Idempotent-Replayed", "true") : answer;
            }
            case Submitted.Failed f when f.retryable() -> ApiResponse.problem(Problem.of(f.problem(), f.detail()))
                    .withHeader("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
            case Submitted.Failed f -> ApiResponse.problem(Problem.of(f.problem(), f.detail()));
            case Submitted.Conflict c -> ApiResponse.problem(conflict(c.existing()));
            case Submitted.InProgress p -> ApiResponse.problem(inProgress(p.existing()))
                    .withHeader("Retry-After", String.valueOf(IN_PROGRESS_RETRY_AFTER_SECONDS));
        };
    }

    private ApiResponse submitBatch(ApiRequest request) {
        if (request.bodyBytes() > MAX_BATCH_REQUEST_BYTES) {
            return tooLarge(request.bodyBytes(), MAX_BATCH_REQUEST_BYTES);
        }
        Optional<String> keyProblem = request.header(IDEMPOTENCY_KEY).flatMap(IdempotencyKey::problem);
        return switch (Json.parse(request.body())) {
            case Json.Parsed.Malformed m -> invalid(withKeyProblem(List.of(malformed(m)), keyProblem));
            case Json.Parsed.Value v -> {
                List<FieldError> problems = withKeyProblem(batchProblems(v.value()), keyProblem);
                yield problems.isEmpty()
                        ? answerBatch((List<?>) ((Map<?, ?>) v.value()).get("jobs"), key(request))
                        : invalid(problems);
            }
        };
    }

    /** Problems with the batch as a whole: it must be an object holding 1 to 100 jobs. */
    private static List<FieldError> batchProblems(Object tree) {
        Pointer jobs = Pointer.ROOT.child("jobs");
        if (!(tree instanceof Map<?, ?> root)) {
            return List.of(new FieldError(Pointer.ROOT, "must be a JSON object {\"jobs\": [...]}, was " + Json.typeName(tree)));
        }
        List<FieldError> errors = new ArrayList<>();
        root.keySet().stream().map(String::valueOf).filter(k -> !k.equals("jobs")).sorted().forEach(k ->
                errors.add(new FieldError(Pointer.ROOT.child(k), "is not a known field (known: jobs)")));
        if (!(root.get("jobs") instanceof List<?> list)) {
            errors.add(new FieldError(jobs, root.containsKey("jobs")
                    ? "must be an array of jobs, was " + Json.typeName(root.get("jobs")) : "is required: an array of 1 to " + MAX_BATCH_JOBS + " jobs"));
        } else if (list.isEmpty() || list.size() > MAX_BATCH_JOBS) {
            errors.add(new FieldError(jobs, "must hold 1 to " + MAX_BATCH_JOBS + " jobs, held " + list.size()));
        }
        return errors;
    }

    private ApiResponse answerBatch(List<?> items, Optional<IdempotencyKey> key) {
        List<JobRequestReader.Read> reads = IntStream.range(0, items.size())
                .mapToObj(i -> read(items.get(i), Pointer.ROOT.child("jobs").child(i)))
                .toList();
        List<Submissions.Request> accepted = new ArrayList<>();
        for (int i = 0; i < reads.size(); i++) {
            if (reads.get(i) instanceof JobRequestReader.Read.Ok ok) {
                int index = i;
                accepted.add(accept(ok, key.map(k -> k.item(index))));
            }
        }
        List<Submitted> submitted = accepted.isEmpty() ? List.of() : submit(accepted);
        List<Map<String, Object>> results = new ArrayList<>();
        List<FieldError> refusals = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < reads.size(); i++) {
            switch (reads.get(i)) {
                case JobRequestReader.Read.Invalid invalid -> {
                    refusals.addAll(invalid.errors());
                    results.add(rejected(i, Problem.invalid(invalid.errors())));
                }
                case JobRequestReader.Read.Ok ok -> results.add(itemResult(i, submitted.get(next++)));
            }
        }
        return batchAnswer(results, refusals, submitted);
    }

    private static ApiResponse batchAnswer(List<Map<String, Object>> results, List<FieldError> refusals, List<Submitted> submitted) {
        long queued = submitted.stream().filter(Submitted.Queued.class::isInstance).count();
        boolean anyRetryable = submitted.stream().anyMatch(s -> s instanceof Submitted.Failed f && f.retryable()
                || s instanceof Submitted.InProgress);
        if (queued == results.size()) {
            return ApiResponse.json(202, Map.of("results", results));
        }
        if (queued > 0) {
            return ApiResponse.json(207, Map.of("results", results));
        }
        if (anyRetryable) {
            return ApiResponse.problem(Problem.of(Problem.Type.QUEUE_UNAVAILABLE, "no job was queued; retry the jobs marked failed")
                    .with("results", results)).withHeader("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
        }
        if (submitted.isEmpty()) {
            return ApiResponse.problem(Problem.invalid(refusals).with("results", results));
        }
        return ApiResponse.json(207, Map.of("results", results));
    }

    /** Submits, then counts the jobs newly queued per target (a replayed one was counted the first time). */
    private List<Submitted> submit(List<Submissions.Request> requests) {
        List<Submitted> submitted = submissions.submit(requests);
        Map<String, Long> queued = new java.util.TreeMap<>();
        submitted.stream()
                .filter(s -> s instanceof Submitted.Queued q && !q.replayed())
                .forEach(s -> queued.merge(((Submitted.Queued) s).job().request().target(), 1L, Long::sum));
        queued.forEach((target, count) -> metrics.emit(Map.of(MetricCatalog.TARGET, target), List.of(MetricCatalog.SUBMITTED.count(count))));
        return submitted;
    }

    /** The reader's verdict, and what this deployment cannot do: notify without job records. */
    private JobRequestReader.Read read(Object node, Pointer at) {
        JobRequestReader.Read read = reader.read(node, at);
        if (!recordsOn && node instanceof Map<?, ?> fields && fields.containsKey("notify")) {
            List<FieldError> errors = new ArrayList<>(read instanceof JobRequestReader.Read.Invalid i ? i.errors() : List.of());
            errors.add(new FieldError(at.child("notify"), "needs job records, which are off in this deployment (JobRecords=Disabled):"
                    + " a notification is announced from the job's record"));
            return new JobRequestReader.Read.Invalid(errors);
        }
        return read;
    }

    private Submissions.Request accept(JobRequestReader.Read.Ok ok, Optional<IdempotencyKey> key) {
        return new Submissions.Request(new Job(ids.next(), ok.request(), clock.instant(), 0), key, RequestHash.of(ok.request()));
    }

    private static Optional<IdempotencyKey> key(ApiRequest request) {
        return request.header(IDEMPOTENCY_KEY).map(value -> new IdempotencyKey(request.caller(), value));
    }

    private static List<FieldError> withKeyProblem(List<FieldError> errors, Optional<String> keyProblem) {
        List<FieldError> all = new ArrayList<>(errors);
        keyProblem.ifPresent(p -> all.add(new FieldError(Pointer.ROOT, p)));
        return all;
    }

    private static Map<String, Object> queued(Submitted.Queued q) {
        Job job = q.job();
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("jobId", job.id().value());
        tree.put("status", q.status().wire());
        tree.put("target", job.request().target());
        tree.put("submittedAt", job.submittedAt().toString());
        if (job.isScheduled()) {
            tree.put("runAt", job.dueAt().toString());
        }
        tree.put("links", Map.of("self", link(job)));
        return tree;
    }

    private static Map<String, Object> itemResult(int index, Submitted submitted) {
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("index", index);
        switch (submitted) {
            case Submitted.Queued q -> tree.putAll(queued(q));
            case Submitted.Failed f -> {
                tree.put("status", "failed");
                tree.put("retryable", f.retryable());
                tree.put("detail", "not queued: " + f.detail());
            }
            case Submitted.Conflict c -> tree.putAll(rejected(index, conflict(c.existing())));
            case Submitted.InProgress p -> {
                tree.put("status", "failed");
                tree.put("retryable", true);
                tree.put("detail", inProgress(p.existing()).detail());
            }
        }
        return tree;
    }

    private static Map<String, Object> rejected(int index, Problem problem) {
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("index", index);
        tree.put("status", "rejected");
        tree.put("problem", problem.toTree());
        return tree;
    }

    private static Problem conflict(JobId existing) {
        return Problem.of(Problem.Type.IDEMPOTENCY_CONFLICT, "this Idempotency-Key was already used for a different request (job "
                + existing + "); use a new key for a new request").with("jobId", existing.value());
    }

    private static Problem inProgress(JobId existing) {
        return Problem.of(Problem.Type.IDEMPOTENCY_IN_PROGRESS, "a request with this Idempotency-Key is still sending job "
                + existing + "; send it again in a moment").with("jobId", existing.value());
    }

    private static ApiResponse invalid(List<FieldError> errors) {
        return ApiResponse.problem(Problem.invalid(errors));
    }

    private static FieldError malformed(Json.Parsed.Malformed m) {
        return new FieldError(Pointer.ROOT, "is not valid JSON: " + m.detail());
    }

    private static ApiResponse tooLarge(int bytes, int limit) {
        return ApiResponse.problem(Problem.of(Problem.Type.TOO_LARGE,
                "the request body is " + bytes + " bytes; the limit is " + limit));
    }

    private static String link(Job job) {
        return "/jobs/" + job.id().value();
    }
}
