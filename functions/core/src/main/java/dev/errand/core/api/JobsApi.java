package dev.errand.core.api;

import dev.errand.core.api.JobQueue.Enqueued;
import dev.errand.core.job.Job;
import dev.errand.core.job.JobIds;
import dev.errand.core.json.Json;
import dev.errand.core.problem.Problem;
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
 * The jobs API: {@code POST /jobs} and {@code POST /jobs/batch}. Validates, sends what is valid to the
 * queue, and answers with exactly what was queued: a job is reported queued only after SQS accepted it.
 */
public final class JobsApi {

    public static final String SUBMIT_ROUTE = "POST /jobs";
    public static final String BATCH_ROUTE = "POST /jobs/batch";

    /** SendMessageBatch takes 10; more than 100 per request would make one slow request hold many jobs hostage. */
    public static final int MAX_BATCH_JOBS = 100;
    /** A job's JSON beyond its body (target, path, headers) is bounded by the header and path rules; 64 KiB covers it. */
    public static final int JOB_OVERHEAD_BYTES = 64 * 1024;
    /** Lambda takes at most 6 MB per synchronous invocation, the event's own wrapping included. */
    public static final int MAX_BATCH_REQUEST_BYTES = 5 * 1024 * 1024;
    /** An SQS outage or throttle clears in seconds; a client told to wait longer would only delay its jobs. */
    public static final int RETRY_AFTER_SECONDS = 5;

    private final JobRequestReader reader;
    private final JobQueue queue;
    private final JobIds ids;
    private final Clock clock;
    private final int maxJobRequestBytes;

    public JobsApi(JobRequestReader reader, JobQueue queue, JobIds ids, Clock clock, int maxBodyBytes) {
        this.reader = reader;
        this.queue = queue;
        this.ids = ids;
        this.clock = clock;
        this.maxJobRequestBytes = maxBodyBytes + JOB_OVERHEAD_BYTES;
    }

    public ApiResponse handle(ApiRequest request) {
        return switch (request.routeKey()) {
            case SUBMIT_ROUTE -> submit(request);
            case BATCH_ROUTE -> submitBatch(request);
            default -> ApiResponse.problem(Problem.of(Problem.Type.NOT_FOUND, "no route for " + request.routeKey()));
        };
    }

    private ApiResponse submit(ApiRequest request) {
        if (request.bodyBytes() > maxJobRequestBytes) {
            return tooLarge(request.bodyBytes(), maxJobRequestBytes);
        }
        return switch (Json.parse(request.body())) {
            case Json.Parsed.Malformed m -> malformed(m);
            case Json.Parsed.Value v -> switch (reader.read(v.value(), Pointer.ROOT)) {
                case JobRequestReader.Read.Invalid invalid -> ApiResponse.problem(Problem.invalid(invalid.errors()));
                case JobRequestReader.Read.Ok ok -> answerOne(newJob(ok));
            };
        };
    }

    private ApiResponse answerOne(Job job) {
        return switch (queue.enqueue(List.of(job)).getFirst()) {
            case Enqueued.Queued q -> ApiResponse.json(202, queued(job)).withHeader("Location", link(job));
            case Enqueued.Failed f -> failedResponse(f);
        };
    }

    private ApiResponse submitBatch(ApiRequest request) {
        if (request.bodyBytes() > MAX_BATCH_REQUEST_BYTES) {
            return tooLarge(request.bodyBytes(), MAX_BATCH_REQUEST_BYTES);
        }
        return switch (Json.parse(request.body())) {
            case Json.Parsed.Malformed m -> malformed(m);
            case Json.Parsed.Value v -> batchItems(v.value())
                    .map(items -> ApiResponse.problem(Problem.invalid(items)))
                    .orElseGet(() -> answerBatch((List<?>) ((Map<?, ?>) v.value()).get("jobs")));
        };
    }

    /** Problems with the batch as a whole, or empty when it is an object holding 1 to 100 jobs. */
    private static Optional<List<FieldError>> batchItems(Object tree) {
        Pointer jobs = Pointer.ROOT.child("jobs");
        if (!(tree instanceof Map<?, ?> root)) {
            return Optional.of(List.of(new FieldError(Pointer.ROOT, "must be a JSON object {\"jobs\": [...]}, was " + Json.typeName(tree))));
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
        return errors.isEmpty() ? Optional.empty() : Optional.of(errors);
    }

    private ApiResponse answerBatch(List<?> items) {
        List<JobRequestReader.Read> reads = IntStream.range(0, items.size())
                .mapToObj(i -> reader.read(items.get(i), Pointer.ROOT.child("jobs").child(i)))
                .toList();
        List<Job> valid = reads.stream()
                .filter(JobRequestReader.Read.Ok.class::isInstance)
                .map(r -> newJob((JobRequestReader.Read.Ok) r))
                .toList();
        var sent = valid.isEmpty() ? List.<Enqueued>of() : queue.enqueue(valid);
        List<Map<String, Object>> results = new ArrayList<>();
        List<FieldError> refusals = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < reads.size(); i++) {
            switch (reads.get(i)) {
                case JobRequestReader.Read.Invalid invalid -> {
                    refusals.addAll(invalid.errors());
                    results.add(rejected(i, invalid.errors()));
                }
                case JobRequestReader.Read.Ok ok -> {
                    results.add(itemResult(i, valid.get(next), sent.get(next)));
                    next++;
                }
            }
        }
        return batchAnswer(results, refusals, sent);
    }

    private static ApiResponse batchAnswer(List<Map<String, Object>> results, List<FieldError> refusals, List<Enqueued> sent) {
        long queued = sent.stream().filter(Enqueued.Queued.class::isInstance).count();
        boolean anyUnavailable = sent.stream().anyMatch(e -> e instanceof Enqueued.Failed f && f.retryable());
        if (queued == results.size()) {
            return ApiResponse.json(202, Map.of("results", results));
        }
        if (queued > 0) {
            return ApiResponse.json(207, Map.of("results", results));
        }
        if (anyUnavailable) {
            return ApiResponse.problem(Problem.of(Problem.Type.QUEUE_UNAVAILABLE, "no job was queued; retry the jobs marked failed")
                    .with("results", results)).withHeader("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
        }
        if (sent.isEmpty()) {
            return ApiResponse.problem(Problem.invalid(refusals).with("results", results));
        }
        return ApiResponse.problem(Problem.of(Problem.Type.QUEUE_REFUSED, "no job was queued").with("results", results));
    }

    private Job newJob(JobRequestReader.Read.Ok ok) {
        return new Job(ids.next(), ok.request(), clock.instant(), 0);
    }

    private static Map<String, Object> queued(Job job) {
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("jobId", job.id().value());
        tree.put("status", "queued");
        tree.put("target", job.request().target());
        tree.put("submittedAt", job.submittedAt().toString());
        tree.put("links", Map.of("self", link(job)));
        return tree;
    }

    private static Map<String, Object> itemResult(int index, Job job, Enqueued outcome) {
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("index", index);
        switch (outcome) {
            case Enqueued.Queued q -> tree.putAll(queued(job));
            case Enqueued.Failed f -> {
                tree.put("status", "failed");
                tree.put("retryable", f.retryable());
                tree.put("detail", "not queued: " + f.detail());
            }
        }
        return tree;
    }

    private static Map<String, Object> rejected(int index, List<FieldError> errors) {
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("index", index);
        tree.put("status", "rejected");
        tree.put("problem", Problem.invalid(errors).toTree());
        return tree;
    }

    private static ApiResponse failedResponse(Enqueued.Failed failed) {
        if (failed.retryable()) {
            return ApiResponse.problem(Problem.of(Problem.Type.QUEUE_UNAVAILABLE, failed.detail()))
                    .withHeader("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
        }
        return ApiResponse.problem(Problem.of(Problem.Type.QUEUE_REFUSED, failed.detail()));
    }

    private static ApiResponse malformed(Json.Parsed.Malformed m) {
        return ApiResponse.problem(Problem.invalid(List.of(new FieldError(Pointer.ROOT, "is not valid JSON: " + m.detail()))));
    }

    private static ApiResponse tooLarge(int bytes, int limit) {
        return ApiResponse.problem(Problem.of(Problem.Type.TOO_LARGE,
                "the request body is " + bytes + " bytes; the limit is " + limit));
    }

    private static String link(Job job) {
        return "/jobs/" + job.id().value();
    }
}
