package dev.errand.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "list", sortOptions = false, abbreviateSynopsis = true,
        header = "List the dead letters: job id, target, attempts, age, reason.",
        description = "The dead letters, oldest first: job id, target, attempts (calls made), age (time in the"
                + " dead-letter queue, whose retention is 14 days) and reason. Reading removes nothing; like any SQS read,"
                + " it hides the messages from other readers for a moment.",
        footer = {"", "Examples:", "  errand dlq list --stack errand", "  errand dlq list --local --limit 10 --json"})
final class DlqList extends OperatorCommand {

    /** Enough for a screen; --limit asks for more. */
    static final int DEFAULT_LIMIT = 50;
    /** Why dead letters can be in flight: SQS hides what a reader received until it lets go. */
    static final String HELD_ELSEWHERE = "another reader holds them (a redrive, the console, another dlq list);"
            + " they show again when it lets them go, within its hold (60 s for errand's own).";
    /** The reason column is cut here so a row fits a terminal; dlq show has it in full. */
    static final int REASON_WIDTH = 70;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "" + DEFAULT_LIMIT,
            description = "Show at most N dead letters (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "A JSON array instead of a table, for scripts.")
    boolean json;


    DlqList(Context context) {
        super(context);
    }

    @Override
    void check() {
        if (limit < 1) {
            throw new SetupProblem("--limit takes 1 or more, was " + limit);
        }
    }

    @Override
    int run(Settings settings) {
        DeadLetterQueue dlq = new DeadLetterQueue(settings.sqs(), settings.deadLetterQueueUrl());
        // counted before this read holds anything, so what is in flight is another reader's
        QueueDepth depth = dlq.depth();
        List<DeadLetter> letters = dlq.peek(limit, DeadLetterQueue.READ_HOLD).stream()
                .sorted(Comparator.comparing(DeadLetter::sentAt)).toList();
        Optional<Integer> maxReceives = letters.stream().anyMatch(DeadLetter::movedBySqs)
                ? settings.knownJobsQueueUrl().flatMap(url -> DeadLetterQueue.maxReceiveCount(settings.sqs(), url)) : Optional.empty();
        if (json) {
            out().println(PrettyJson.tree(letters.stream().map(l -> row(l, maxReceives)).toList()));
        } else {
            table(out(), letters, maxReceives, depth);
        }
        out().flush();
        return Errand.OK;
    }

    private Map<String, Object> row(DeadLetter letter, Optional<Integer> maxReceives) {
        Instant now = context.clock().instant();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("jobId", letter.jobId().map(Object::toString).orElse(null));
        row.put("messageId", letter.messageId());
        row.put("target", letter.target().orElse(null));
        row.put("attempts", letter.attempts());
        row.put("reason", letter.reason(maxReceives));
        row.put("movedBySqs", letter.movedBySqs());
        letter.lastStatus().ifPresent(s -> row.put("lastStatus", s));
        row.put("inDlqSince", letter.sentAt().toString());
        row.put("ageSeconds", letter.age(now).toSeconds());
        return row;
    }

    private void table(PrintWriter out, List<DeadLetter> letters, Optional<Integer> maxReceives, QueueDepth depth) {
        if (letters.isEmpty()) {
            out.println(depth.inFlight() == 0 ? "The dead-letter queue is empty."
                    : "No dead letter is visible, but SQS counts about " + depth.inFlight() + " in flight: " + HELD_ELSEWHERE);
            return;
        }
        Instant now = context.clock().instant();
        Table table = new Table(List.of("JOB ID", "TARGET", "ATTEMPTS", "AGE", "REASON"));
        for (DeadLetter l : letters) {
            table.add(List.of(l.jobId().map(Object::toString).orElse("message " + l.messageId()),
                    l.target().orElse("-"),
                    l.attempts() + (l.movedBySqs() ? "+" : ""),
                    Ages.of(l.age(now)),
                    Table.cut(l.reason(maxReceives), REASON_WIDTH)));
        }
        table.print(out);
        out.println();
        out.println(letters.size() + " shown; SQS counts about " + depth.visible() + " in the queue"
                + (depth.inFlight() > 0 ? " and " + depth.inFlight() + " in flight, not shown: " + HELD_ELSEWHERE : ".")
                + (letters.stream().anyMatch(DeadLetter::movedBySqs) ? " N+ attempts: at least N calls (SQS moved it; crashed calls are not counted)." : ""));
        out.println("One in full: errand dlq show <JOB ID>.  Send back: errand dlq redrive <JOB ID>... or --all.");
    }
}
