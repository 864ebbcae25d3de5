package dev.errand.aws;

import dev.errand.core.api.JobQueue.Enqueued;
import dev.errand.core.api.JobScheduler;
import dev.errand.core.job.Envelope;
import dev.errand.core.job.Job;
import dev.errand.core.job.JobId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.scheduler.model.ActionAfterCompletion;
import software.amazon.awssdk.services.scheduler.model.ConflictException;
import software.amazon.awssdk.services.scheduler.model.FlexibleTimeWindowMode;
import software.amazon.awssdk.services.scheduler.model.ResourceNotFoundException;

/**
 * One EventBridge Scheduler one-time schedule per job: {@code at(<due time>)} in UTC, no flexible window,
 * the job's queue message as the target's input, sent to the jobs queue with the scheduler's role, and
 * deleted after it ran. Named after the job, so a repeat of the same request finds its schedule made.
 */
public final class EventBridgeScheduler implements JobScheduler {

    /** {@code at()} takes whole seconds; a due time is rounded up, so the job never arrives before it. */
    static final DateTimeFormatter AT = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);
    /**
     * The largest message a schedule carries: 256 KiB, EventBridge's own payload limit (the scheduler's input
     * was not measured above it here). Larger jobs due later than the queue's delay are refused at submission.
     */
    public static final int MAX_INPUT_BYTES = 256 * 1024;
    /** A schedule the scheduler could not deliver is retried for up to a day (its default), then given up. */
    static final String PREFIX = "errand-";

    private final SchedulerClient scheduler;
    private final String group;
    private final String queueArn;
    private final String roleArn;

    public EventBridgeScheduler(SchedulerClient scheduler, String group, String queueArn, String roleArn) {
        this.scheduler = scheduler;
        this.group = group;
        this.queueArn = queueArn;
        this.roleArn = roleArn;
    }

    public static String name(JobId id) {
        return PREFIX + id.value();
    }

    public static String expression(Instant due) {
        Instant whole = due.truncatedTo(ChronoUnit.SECONDS);
        return "at(" + AT.format(whole.equals(due) ? whole : whole.plusSeconds(1)) + ")";
    }

    @Override
    public List<Enqueued> schedule(List<Job> jobs) {
        return jobs.stream().map(this::schedule).toList();
    }

    private Enqueued schedule(Job job) {
        String input = Envelope.encode(job);
        if (input.getBytes(StandardCharsets.UTF_8).length > MAX_INPUT_BYTES) {
            return new Enqueued.Failed(job.id(), false, "a job due more than 15 minutes ahead may be at most " + MAX_INPUT_BYTES
                    + " bytes as a message (EventBridge Scheduler's input); send a smaller body or run it sooner");
        }
        try {
            scheduler.createSchedule(b -> b.name(name(job.id())).groupName(group)
                    .scheduleExpression(expression(job.dueAt()))
                    .scheduleExpressionTimezone("UTC")
                    .flexibleTimeWindow(w -> w.mode(FlexibleTimeWindowMode.OFF))
                    .actionAfterCompletion(ActionAfterCompletion.DELETE)
                    .description("Errand job " + job.id() + " for " + job.request().target())
                    .target(t -> t.arn(queueArn).roleArn(roleArn).input(input)));
            return new Enqueued.Queued(job.id());
        } catch (ConflictException e) {
            // made by an earlier try of the same request: the job is scheduled
            return new Enqueued.Queued(job.id());
        } catch (SdkException e) {
            return new Enqueued.Failed(job.id(), SqsBatches.retryable(e) || e.retryable(), "EventBridge Scheduler: "
                    + Optional.ofNullable(e.getMessage()).orElse(e.getClass().getSimpleName()));
        }
    }

    @Override
    public Removal unschedule(JobId id) {
        try {
            scheduler.deleteSchedule(b -> b.name(name(id)).groupName(group));
            return new Removal.Gone();
        } catch (ResourceNotFoundException e) {
            return new Removal.Gone();
        } catch (SdkException e) {
            return new Removal.Unavailable(Optional.ofNullable(e.getMessage()).orElse(e.getClass().getSimpleName()));
        }
    }
}
