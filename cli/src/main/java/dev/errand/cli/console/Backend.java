package dev.errand.cli.console;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Everything the console reads and does, over Errand's queues, job records, API and targets document: the
 * pages call nothing else. The operator CLI implements it with its own code (the queues and the redrive of
 * {@code errand dlq}, the API client of {@code errand status}), on AWS and locally alike.
 *
 * <p>Job search and cancel go through the API ({@code GET /jobs?...}, {@code DELETE /jobs/{jobId}}), as
 * {@code errand jobs list} and {@code errand cancel} do. The fleet-wide target state with pause and resume
 * waits on other work and answers {@link Unavailable} until then (the target state table and
 * {@code errand targets}). What a backend cannot do here is said by {@link #capabilities()}, and the pages
 * show it so.
 */
public interface Backend {

    /** Where the console points, in a few words ("stack errand in eu-west-1"). */
    String where();

    /** What this backend can do beyond reading queues and dead letters; the pages show only what it can. */
    Capabilities capabilities();

    QueueSnapshot queues();

    /** Up to {@code limit} dead letters, each read once and made visible again at once (SQS has no peek). */
    List<Letter> deadLetters(int limit);

    /**
     * A redrive with the CLI's safety: fresh attempts, records requeued, each dead letter deleted only after
     * its copy is on the jobs queue, at most {@code rate} a second; {@code dryRun} changes nothing. Each dead
     * letter handled is told to {@code each} as it happens. A stop of the console ends it at a safe point.
     */
    RedriveReport redrive(RedriveOrder order, boolean dryRun, Consumer<RedriveLine> each);

    /** A job's record, through the API's {@code GET /jobs/{jobId}}. */
    JobLookup job(String jobId);

    /** One page of a job search, through {@code GET /jobs?status=&target=&since=&until=&limit=&cursor=}. */
    JobSearch searchJobs(JobQuery query);

    /** Cancels a job through {@code DELETE /jobs/{jobId}}: done, or refused with why (already over, unknown). */
    Action cancelJob(String jobId);

    /** The configured targets, from the targets document where the functions read it. */
    Configured targets();

    /** A target's fleet-wide state (breaker, pause, rate), from the target state table; empty when it cannot be read. */
    Optional<TargetState> targetState(String target);

    /** Pauses a target fleet-wide, as {@code errand targets pause} does. */
    Action pauseTarget(String target, Duration duration, String reason);

    /** Resumes a paused target, as {@code errand targets resume} does. */
    Action resumeTarget(String target);

    /** Which optional parts the pages show as usable: each empty when it is, else why not. */
    record Capabilities(Optional<Unavailable> jobSearch, Optional<Unavailable> jobCancel, Optional<Unavailable> targetControl) {}

    /** Why something cannot be done here. */
    record Unavailable(String reason) {}

    /** A queue's messages as SQS counts them. */
    record Depth(long visible, long inFlight, long delayed) {}

    /** The two queues; the oldest job's age when it is known (CloudWatch's AWS/SQS metric, which ElasticMQ lacks). */
    record QueueSnapshot(Depth jobs, Depth deadLetters, Optional<Long> oldestJobSeconds, String oldestNote) {}

    /** One dead letter as the pages show it; {@code atLeast} when SQS moved it and crashed calls are not counted. */
    record Letter(Optional<String> jobId, String messageId, Optional<String> target, int attempts, boolean atLeast, String reason,
                  long ageSeconds) {}

    /** Which dead letters a redrive takes: all, or those of the named jobs; and at most how many a second. */
    record RedriveOrder(Optional<List<String>> jobIds, Optional<Integer> rate) {
        public RedriveOrder {
            jobIds = jobIds.map(List::copyOf);
        }
    }

    /** One dead letter handled: the CLI's verdict label (redriven, would redrive, left, ...) and why. */
    record RedriveLine(String verdict, String who, String target, String detail) {}

    /** How a redrive ended: counts by verdict, the named jobs with no dead letter, whether a stop cut it short. */
    record RedriveReport(Map<String, Long> counts, List<String> notFound, boolean stopped) {
        public RedriveReport {
            counts = Map.copyOf(counts);
            notFound = List.copyOf(notFound);
        }
    }

    /** A job looked up by id. */
    sealed interface JobLookup {
        record Found(Map<String, Object> record) implements JobLookup {
            public Found {
                record = Map.copyOf(record);
            }
        }

        record NotFound(String detail) implements JobLookup {}

        record Failed(String detail) implements JobLookup {}
    }

    /** A search as {@code GET /jobs} takes it; every part optional. */
    record JobQuery(Optional<String> status, Optional<String> target, Optional<String> since, Optional<String> until,
                    Optional<Integer> limit, Optional<String> cursor) {}

    /** What a search found: a page of records and the cursor of the next; or why there is none. */
    sealed interface JobSearch {
        record Page(List<Map<String, Object>> jobs, Optional<String> cursor) implements JobSearch {
            public Page {
                jobs = List.copyOf(jobs);
            }
        }

        /** The search itself is wrong (a bad status, time or cursor): the API's words. */
        record Invalid(String detail) implements JobSearch {}

        record Failed(String detail) implements JobSearch {}

        record Unavailable(Backend.Unavailable why) implements JobSearch {}
    }

    /** The answer to an action (cancel, pause, resume): done, with what it says; or not, with why. */
    sealed interface Action {
        record Done(String detail) implements Action {}

        record Refused(String detail) implements Action {}

        record NotDone(Unavailable why) implements Action {}
    }

    /** A target as the targets document configures it; its fleet-wide rate limit, when it has one. */
    record TargetConfig(String name, String baseUrl, long timeoutMs, int maxConcurrency, int breakerThreshold, String auth,
                        Optional<Rate> rate) {}

    /** A rate limit: tokens a second, and at most how many at once. */
    record Rate(double perSecond, int burst) {}

    /** The configured targets, and what kept the document from being read (no parameter, invalid JSON). */
    record Configured(List<TargetConfig> targets, List<String> problems, String source) {
        public Configured {
            targets = List.copyOf(targets);
            problems = List.copyOf(problems);
        }
    }

    /** A target's fleet-wide state: closed, open, half-open, held or paused, with its details (pause, next probe, rate) in the order to show. */
    record TargetState(String state, Map<String, String> details) {
        public TargetState {
            details = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(details));
        }
    }
}
