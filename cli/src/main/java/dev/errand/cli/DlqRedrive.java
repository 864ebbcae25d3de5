package dev.errand.cli;

import dev.errand.aws.SqsBatches;
import dev.errand.cli.Handled.Verdict;
import dev.errand.core.job.JobId;
import dev.errand.core.record.JobStore;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "redrive", sortOptions = false, abbreviateSynopsis = true,
        header = "Send dead letters back to the jobs queue.",
        description = {
            "Sends dead letters back to the jobs queue as fresh jobs: attempts reset to 0 (the next call is attempt 1"
                + " of a full retry schedule) and each job record back to queued. Each dead letter is deleted only after"
                + " SQS confirmed its copy. Fix the cause first: dlq show says why each one died.",
            "",
            "Safe to stop: Ctrl-C or SIGTERM lets the batch in hand finish, then stops; nothing is lost or sent twice,"
                + " and the same command again goes on. A run killed outright (kill -9) is safe too: its messages"
                + " reappear after --hold-seconds, and the job records tell the next run which copies were already sent."},
        footer = {"", "Examples:",
            "  errand dlq redrive 019ab2f0-5f1c-7d3e-9a4b-1c2d3e4f5a6b --stack errand",
            "  errand dlq redrive --all --dry-run --stack errand",
            "  errand dlq redrive --all --rate 20 --stack errand"})
final class DlqRedrive extends OperatorCommand {

    /** Longer than a batch takes at any rate (10 messages, at 1/s: 10 s), short enough to wait out after a kill -9. */
    static final int DEFAULT_HOLD_SECONDS = 60;
    /** SQS's visibility timeout maximum. */
    static final int MAX_HOLD_SECONDS = 43_200;
    static final int MIN_HOLD_SECONDS = 15;
    static final String NO_RECORDS = "No job records table given (--table, ERRAND_JOBS_TABLE or --stack), so records are not"
            + " reset here; each copy carries its reason instead, and the consumer revives a failed or dead record itself.";

    @Option(names = "--all", description = "Every dead letter, but for the run's own copies that fail again meanwhile.")
    boolean all;

    @Parameters(paramLabel = "JOB_ID", arity = "0..*", description = "The jobs to redrive (ids as dlq list shows them).")
    List<String> jobIds = new ArrayList<>();

    @Option(names = "--rate", paramLabel = "N[/s]", description = "At most N jobs a second (default: as fast as SQS takes them).")
    Optional<String> rate = Optional.empty();

    @Option(names = "--dry-run", description = "Say what would be done; change nothing.")
    boolean dryRun;

    @Option(names = "--hold-seconds", paramLabel = "S", defaultValue = "" + DEFAULT_HOLD_SECONDS,
            description = "How long the run hides the dead letters it works on from other readers (default ${DEFAULT-VALUE}).")
    int holdSeconds;


    DlqRedrive(Context context) {
        super(context);
    }

    @Override
    void check() {
        selection();
        pace();
        if (holdSeconds < MIN_HOLD_SECONDS || holdSeconds > MAX_HOLD_SECONDS) {
            throw new SetupProblem("--hold-seconds takes " + MIN_HOLD_SECONDS + " to " + MAX_HOLD_SECONDS + ", was " + holdSeconds);
        }
    }

    @Override
    int run(Settings settings) {
        Selection selection = selection();
        DeadLetterQueue dlq = new DeadLetterQueue(settings.sqs(), settings.deadLetterQueueUrl());
        String jobsQueue = settings.jobsQueueUrl();
        JobStore store = settings.jobStore(context.clock());
        if (!store.enabled() && !dryRun) {
            err().println(NO_RECORDS);
        }
        int total = selection instanceof Selection.Jobs jobs ? jobs.ids().size() : dlq.approximateCount();
        ProgressBar bar = new ProgressBar(err(), context.terminal(), context.clock(), dryRun ? "dry run" : "redrive", total);
        Redrive.Report report = new Redrive(dlq, new SqsBatches(settings.sqs()), jobsQueue, store,
                Duration.ofSeconds(holdSeconds), context.stop())
                .run(selection, pace(), dryRun, h -> {
                    bar.clear();
                    out().println(line(h));
                    out().flush();
                    bar.advance();
                });
        bar.finish();
        summarise(out(), report, store.enabled(), dryRun);
        if (report.stopped()) {
            out().println("Stopped by a signal after the batch in hand. Nothing was lost or sent twice: about " + dlq.approximateCount()
                    + " dead letters are in the dead-letter queue, untouched. Run the same command again to go on.");
        }
        out().flush();
        return report.stopped() ? Errand.STOPPED : report.complete() ? Errand.OK : Errand.FAILED;
    }

    private Pace pace() {
        return rate.map(r -> Pace.parse(r).orElseThrow(() -> new SetupProblem(
                        "--rate takes jobs per second, 1 to " + Pace.MAX_RATE + ", like 20 or 20/s; was '" + r + "'")))
                .map(r -> Pace.perSecond(r, context.clock(), context.stop()))
                .orElseGet(() -> Pace.unlimited(context.clock(), context.stop()));
    }

    private Selection selection() {
        if (all == !jobIds.isEmpty()) {
            throw new SetupProblem("name the jobs to redrive, or give --all (not both); errand dlq list shows the job ids");
        }
        List<JobId> ids = new ArrayList<>();
        for (String text : jobIds) {
            ids.add(JobId.parse(text).orElseThrow(() -> new SetupProblem(
                    "'" + text + "' is not a job id (a lower-case UUIDv7, as errand dlq list shows them)")));
        }
        return all ? new Selection.All() : Selection.Jobs.of(ids);
    }

    private static String line(Handled h) {
        String who = h.letter().jobId().map(Object::toString).orElse("message " + h.letter().messageId());
        return String.format("%-13s %-36s  %-12s %s", h.verdict().label, who, h.letter().target().orElse("-"), h.detail());
    }

    private static void summarise(PrintWriter out, Redrive.Report report, boolean records, boolean dryRun) {
        out.println();
        for (JobId id : report.notFound()) {
            out.println("No dead letter for job " + id + ": redriven already, or never dead-lettered? errand status " + id + " shows where it is.");
        }
        long left = report.count(Verdict.LEFT) + report.count(Verdict.FAILED);
        if (dryRun) {
            out.println("Dry run: would redrive " + report.count(Verdict.WOULD_REDRIVE) + ", would remove " + report.count(Verdict.WOULD_REMOVE)
                    + ", would leave " + left + ". Nothing was changed.");
            return;
        }
        out.println("Redriven: " + report.count(Verdict.REDRIVEN) + (records ? " (attempts reset, job records back to queued)" : " (attempts reset)")
                + ". Removed: " + report.count(Verdict.REMOVED) + ". Left in the dead-letter queue: " + left
                + (report.count(Verdict.FAILED) > 0 ? " (" + report.count(Verdict.FAILED) + " failed: see above; run again once the cause is fixed)" : "") + ".");
    }
}
