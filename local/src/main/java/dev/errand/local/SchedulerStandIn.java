package dev.errand.local;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.scheduler.model.ActionAfterCompletion;
import software.amazon.awssdk.services.scheduler.model.GetScheduleResponse;
import software.amazon.awssdk.services.scheduler.model.ResourceNotFoundException;
import software.amazon.awssdk.services.scheduler.model.ScheduleSummary;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Plays EventBridge Scheduler's part that moto leaves out: it fires one-time schedules. Every
 * {@link #POLL} it lists the schedule groups' schedules, and for each {@code at()} schedule that is due sends
 * its target's input to the SQS queue the target names, then deletes the schedule when it says
 * ActionAfterCompletion DELETE. Other targets and expressions are left alone, and said so once.
 */
final class SchedulerStandIn implements AutoCloseable {

    /** A quarter second: with at()'s whole seconds, a job is sent within about 1.3 s of its time. */
    static final Duration POLL = Duration.ofMillis(250);
    private static final Pattern AT = Pattern.compile("at\\((\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2})\\)");

    private final SchedulerClient scheduler;
    private final List<String> groups;
    private final Map<String, String> queueUrlByArn;
    private final SqsClient sqs;
    private final Consumer<String> log;
    private final Clock clock;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final java.util.Set<String> warned = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Thread thread;

    SchedulerStandIn(SchedulerClient scheduler, List<String> groups, Map<String, String> queueUrlByArn, SqsClient sqs,
                     Consumer<String> log, Clock clock) {
        this.scheduler = scheduler;
        this.groups = List.copyOf(groups);
        this.queueUrlByArn = Map.copyOf(queueUrlByArn);
        this.sqs = sqs;
        this.log = log;
        this.clock = clock;
        this.thread = Thread.ofPlatform().daemon().name("scheduler-stand-in").start(this::run);
    }

    @Override
    public void close() {
        running.set(false);
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        scheduler.close();
    }

    private void run() {
        while (running.get()) {
            try {
                groups.forEach(this::fireDue);
            } catch (SdkException e) {
                if (running.get()) {
                    log.accept("[scheduler] cannot reach the schedules (" + e.getMessage() + "); retrying");
                }
            } catch (RuntimeException e) {
                log.accept("[scheduler] " + e);
            }
            try {
                Thread.sleep(POLL);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void fireDue(String group) {
        for (ScheduleSummary summary : scheduler.listSchedulesPaginator(b -> b.groupName(group)).schedules()) {
            GetScheduleResponse schedule;
            try {
                schedule = scheduler.getSchedule(b -> b.groupName(group).name(summary.name()));
            } catch (ResourceNotFoundException e) {
                continue;
            }
            Optional<Instant> due = due(schedule);
            if (due.isEmpty() || due.get().isAfter(clock.instant())) {
                continue;
            }
            String url = queueUrlByArn.get(schedule.target().arn());
            if (url == null) {
                once(schedule.name(), "schedule " + schedule.name() + " targets " + schedule.target().arn()
                        + ", which is not a queue of this runtime; it is not fired");
                continue;
            }
            sqs.sendMessage(b -> b.queueUrl(url).messageBody(schedule.target().input()));
            if (schedule.actionAfterCompletion() == ActionAfterCompletion.DELETE) {
                try {
                    scheduler.deleteSchedule(b -> b.groupName(group).name(schedule.name()));
                } catch (ResourceNotFoundException e) {
                    // deleted meanwhile (a cancel): the job's record tells the consumer
                }
            }
        }
    }

    /** When a one-time schedule is due, in its time zone; empty for other expressions. */
    private Optional<Instant> due(GetScheduleResponse schedule) {
        Matcher at = AT.matcher(Optional.ofNullable(schedule.scheduleExpression()).orElse(""));
        if (!at.matches()) {
            once(schedule.name(), "schedule " + schedule.name() + " is " + schedule.scheduleExpression()
                    + "; only one-time at() schedules are fired locally");
            return Optional.empty();
        }
        try {
            ZoneId zone = ZoneId.of(Optional.ofNullable(schedule.scheduleExpressionTimezone()).orElse("UTC"));
            return Optional.of(LocalDateTime.parse(at.group(1)).atZone(zone).toInstant());
        } catch (java.time.DateTimeException e) {
            once(schedule.name(), "schedule " + schedule.name() + " has an unreadable time: " + e.getMessage());
            return Optional.empty();
        }
    }

    private void once(String name, String message) {
        if (warned.add(name)) {
            log.accept("[scheduler] " + message);
        }
    }
}
