package dev.errand.aws;

import dev.errand.core.announce.Announcer;
import dev.errand.core.job.Job;
import dev.errand.core.json.Json;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;

/**
 * Announces a job's end: its notification job onto the jobs queue (like any job), and the event on the
 * configured EventBridge bus (source {@code errand}). Both or a failure: the caller tries again later.
 */
public final class QueueAnnouncer implements Announcer {

    public static final String SOURCE = "errand";

    private final SqsBatches sqs;
    private final String jobsQueueUrl;
    private final Optional<EventBridgeClient> events;
    private final String bus;

    /** {@code bus} empty: no events are put. */
    public QueueAnnouncer(SqsBatches sqs, String jobsQueueUrl, Optional<EventBridgeClient> events, String bus) {
        this.sqs = sqs;
        this.jobsQueueUrl = jobsQueueUrl;
        this.events = bus.isBlank() ? Optional.empty() : events;
        this.bus = bus;
    }

    /** From the environment: the jobs queue, and the bus when ERRAND_EVENT_BUS names one. */
    public static QueueAnnouncer fromEnvironment(Env env, AwsClients aws, SqsBatches sqs) {
        Optional<String> bus = env.get(Env.EVENT_BUS);
        return new QueueAnnouncer(sqs, env.required(Env.JOBS_QUEUE_URL), bus.map(b -> aws.eventBridge()), bus.orElse(""));
    }

    @Override
    public boolean putsEvents() {
        return events.isPresent();
    }

    @Override
    public Sent announce(Optional<Job> notification, Optional<Event> event) {
        if (notification.isPresent()) {
            SqsBatches.Result sent = sqs.send(jobsQueueUrl, List.of(SqsJobQueue.message(notification.get(), 0))).getFirst();
            if (sent instanceof SqsBatches.Result.Failed f) {
                return new Sent.Failed("the notification job was not queued: " + f.detail());
            }
        }
        if (event.isPresent() && events.isPresent()) {
            try {
                PutEventsResponse put = events.get().putEvents(b -> b.entries(e -> e.eventBusName(bus).source(SOURCE)
                        .detailType(event.get().detailType()).detail(Json.write(event.get().detail()))));
                if (put.failedEntryCount() > 0) {
                    return new Sent.Failed("EventBridge refused the event: " + put.entries().getFirst().errorMessage());
                }
            } catch (SdkException e) {
                return new Sent.Failed("EventBridge: " + Optional.ofNullable(e.getMessage()).orElse(e.getClass().getSimpleName()));
            }
        }
        return new Sent.Done();
    }
}
