package dev.errand.local;

import dev.errand.process.ProcessJobsFunction;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/** The local runtime as tests start it: free ports, given targets and parameters, retries without jitter. */
final class TestRuntime {

    private TestRuntime() {}

    static LocalRuntime start(String targets, Map<String, String> parameters) {
        return start(targets, parameters, new PrintStream(OutputStream.nullOutputStream()));
    }

    /** {@code consumerLogs} receives the consumer's JSON log lines. */
    static LocalRuntime start(String targets, Map<String, String> parameters, PrintStream consumerLogs) {
        return start(targets, parameters, consumerLogs, options -> options);
    }

    /** {@code backend} may point the runtime at another AWS endpoint (LocalStack). */
    static LocalRuntime start(String targets, Map<String, String> parameters, UnaryOperator<LocalRuntime.Options> backend) {
        return start(targets, parameters, new PrintStream(OutputStream.nullOutputStream()), backend);
    }

    private static LocalRuntime start(String targets, Map<String, String> parameters, PrintStream consumerLogs,
                                      UnaryOperator<LocalRuntime.Options> backend) {
        HandlerFactory noJitter = (className, env, logs) -> className.equals(ProcessJobsFunction.class.getName())
                ? new ProcessJobsFunction(env, () -> 1.0, consumerLogs)
                : HandlerFactory.REFLECTIVE.create(className, env, logs);
        return LocalRuntime.start(backend.apply(LocalRuntime.Options.forTests(Path.of("../template.yaml"), targets)
                .withParameters(parameters)
                .withHandlers(noJitter)));
    }

    /** Messages now visible on a queue, made visible again at once so other readers see them too. */
    static List<Message> peek(LocalRuntime runtime, String queue) {
        String url = runtime.queue(queue).url();
        List<Message> seen = runtime.sqs().receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1)
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL).messageAttributeNames("All")).messages();
        seen.forEach(m -> runtime.sqs().changeMessageVisibility(b -> b.queueUrl(url).receiptHandle(m.receiptHandle()).visibilityTimeout(0)));
        return seen;
    }

    /** Receives and deletes every message of a queue until it stays empty for a moment. */
    static List<Message> drain(LocalRuntime runtime, String queue) {
        String url = runtime.queue(queue).url();
        List<Message> all = new java.util.ArrayList<>();
        while (true) {
            List<Message> batch = runtime.sqs().receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1)
                    .messageSystemAttributeNames(MessageSystemAttributeName.ALL).messageAttributeNames("All")).messages();
            if (batch.isEmpty()) {
                return all;
            }
            all.addAll(batch);
            batch.forEach(m -> runtime.sqs().deleteMessage(b -> b.queueUrl(url).receiptHandle(m.receiptHandle())));
        }
    }

    /** Messages on a queue, visible, in flight or delayed. */
    static int depth(LocalRuntime runtime, String queue) {
        return runtime.sqs().getQueueAttributes(b -> b.queueUrl(runtime.queue(queue).url()).attributeNamesWithStrings(
                        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"))
                .attributesAsStrings().values().stream().mapToInt(Integer::parseInt).sum();
    }

    static Optional<String> attribute(Message m, String name) {
        return Optional.ofNullable(m.messageAttributes().get(name)).map(a -> a.stringValue());
    }

    static void pause(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
