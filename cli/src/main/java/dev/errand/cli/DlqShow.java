package dev.errand.cli;

import dev.errand.core.json.Json;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "show", sortOptions = false, abbreviateSynopsis = true,
        header = "Show one dead letter in full.",
        description = "One dead letter in full: its message attributes (why it died, calls made, last HTTP status),"
                + " SQS's attributes, and the body: the job as the consumer received it. The body and headers are the"
                + " client's own; Errand never puts a target's secrets in a message.",
        footer = {"", "Examples:", "  errand dlq show 019ab2f0-5f1c-7d3e-9a4b-1c2d3e4f5a6b --stack errand",
            "  errand dlq show <messageId> --local      # a message whose job id cannot be read"})
final class DlqShow extends OperatorCommand {

    /** A dead-letter queue past this size is read only this far; list and redrive name the jobs. */
    static final int SCAN_LIMIT = 100_000;

    @Parameters(paramLabel = "JOB_ID|MESSAGE_ID", description = "The job's id (as dlq list shows it), or the SQS message id.")
    String id;

    @Option(names = "--json", description = "The messages as a JSON array.")
    boolean json;


    DlqShow(Context context) {
        super(context);
    }

    @Override
    int run(Settings settings) {
        DeadLetterQueue dlq = new DeadLetterQueue(settings.sqs(), settings.deadLetterQueueUrl());
        List<DeadLetter> matches = dlq.peek(SCAN_LIMIT, DeadLetterQueue.READ_HOLD).stream()
                .filter(l -> l.messageId().equals(id) || l.jobId().map(Object::toString).filter(id::equals).isPresent())
                .toList();
        if (matches.isEmpty()) {
            err().println("No dead letter for " + id + " in " + dlq.url()
                    + ". Redriven already, or never dead-lettered? errand status " + id + " shows where the job is.");
            err().flush();
            return Errand.FAILED;
        }
        if (json) {
            out().println(PrettyJson.tree(matches.stream().map(DlqShow::tree).toList()));
        } else {
            matches.forEach(m -> text(out(), m, matches.size()));
        }
        out().flush();
        return Errand.OK;
    }

    private static Map<String, Object> tree(DeadLetter letter) {
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("messageId", letter.messageId());
        tree.put("messageAttributes", letter.attributes());
        tree.put("attributes", letter.sqsAttributes());
        tree.put("body", Json.parse(letter.body()) instanceof Json.Parsed.Value v ? v.value() : letter.body());
        return tree;
    }

    private void text(PrintWriter out, DeadLetter letter, int of) {
        Instant now = context.clock().instant();
        out.println(of > 1 ? "Dead letter " + letter.messageId() + " (one of " + of + " for this job)" : "Dead letter " + letter.messageId());
        out.println("  job id          " + letter.jobId().map(Object::toString).orElse("(cannot be read)"));
        out.println("  target          " + letter.target().orElse("-"));
        out.println("  reason          " + letter.reason(Optional.empty()));
        out.println("  attempts        " + letter.attempts() + (letter.movedBySqs() ? " or more (moved by SQS; crashed calls are not counted)" : ""));
        out.println("  in the DLQ      since " + letter.sentAt() + " (" + Ages.of(letter.age(now)) + ")");
        out.println();
        out.println("Message attributes");
        letter.attributes().forEach((k, v) -> out.println("  " + String.format("%-24s", k) + " " + v));
        out.println("SQS attributes");
        letter.sqsAttributes().forEach((k, v) -> out.println("  " + String.format("%-34s", k) + " " + v
                + (k.endsWith("Timestamp") && v.matches("\\d{1,15}") ? " (" + Instant.ofEpochMilli(Long.parseLong(v)) + ")" : "")));
        out.println("Body");
        PrettyJson.of(letter.body()).lines().forEach(l -> out.println("  " + l));
        out.println();
    }
}
