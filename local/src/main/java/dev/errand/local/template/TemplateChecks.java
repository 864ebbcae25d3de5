package dev.errand.local.template;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarFile;
import dev.errand.core.job.MessageBudget;

/**
 * What cfn-lint does not check in template.yaml, and Errand depends on: the queue's visibility timeout
 * against the consumer's timeout, a batching window for batches over 10, retention against the longest
 * retry schedule, a body limit that leaves room for the rest of a job's SQS message, handler classes that
 * exist in the jars, every environment variable a handler reads, and every Errand metric an alarm or the
 * dashboard names ({@link MetricsCheck}).
 */
public final class TemplateChecks {

    /** Lambda's guidance for SQS event sources: visibility timeout at least six times the function timeout. */
    public static final int VISIBILITY_FACTOR = 6;
    /** A provider may ask for 12 hours between two calls (Retry-After, capped), the longest SQS can hide a message. */
    public static final long LONGEST_GAP_SECONDS = 12 * 3600;
    /** The submit function's body limit, from the MaxBodyBytes parameter. */
    static final String MAX_BODY_VARIABLE = "ERRAND_MAX_BODY_BYTES";

    private final Map<String, Object> root;
    private final Path repository;

    public TemplateChecks(Map<String, Object> root, Path repository) {
        this.root = root;
        this.repository = repository;
    }

    /** Every problem found; empty when the template is sound. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        for (Map<String, String> overrides : parameterVariants()) {
            Template template;
            try {
                template = Template.of(root, overrides);
            } catch (IllegalArgumentException refused) {
                continue;
            }
            visibility(template, overrides, problems);
            batchingWindow(template, overrides, problems);
            retention(template, overrides, problems);
            messageSize(template, overrides, problems);
        }
        Template defaults = Template.of(root, Map.of());
        handlers(defaults, problems);
        MetricsCheck.check(defaults, defaults.intrinsics(new Placeholders()), problems);
        scheduling(defaults, problems);
        return firstOfEach(problems);
    }

    /** The defaults, then each parameter at each allowed value and at its bounds, one at a time. */
    private List<Map<String, String>> parameterVariants() {
        List<Map<String, String>> variants = new ArrayList<>();
        variants.add(Map.of());
        Template.section(root, "Parameters").forEach((name, definition) -> {
            Map<String, Object> def = Template.asMap(definition);
            if (def.get("AllowedValues") instanceof List<?> values) {
                values.forEach(v -> variants.add(Map.of(name, Template.scalar(v))));
            }
            for (String bound : List.of("MinValue", "MaxValue")) {
                Optional.ofNullable(def.get(bound)).ifPresent(v -> variants.add(Map.of(name, Template.scalar(v))));
            }
        });
        return variants;
    }

    private void visibility(Template template, Map<String, String> overrides, List<String> problems) {
        forEachSqsEventSource(template, (function, queue, event, intrinsics) -> {
            long timeout = Long.parseLong(intrinsics.text(template.properties(function).getOrDefault("Timeout", 3)));
            long visibility = Long.parseLong(intrinsics.text(template.properties(queue).getOrDefault("VisibilityTimeout", 30)));
            if (visibility < VISIBILITY_FACTOR * timeout) {
                problems.add(queue + " VisibilityTimeout " + visibility + " s is less than " + VISIBILITY_FACTOR + " x "
                        + function + "'s Timeout " + timeout + " s" + when(overrides));
            }
        });
    }

    private void batchingWindow(Template template, Map<String, String> overrides, List<String> problems) {
        forEachSqsEventSource(template, (function, queue, event, intrinsics) -> {
            long batchSize = Long.parseLong(intrinsics.text(event.getOrDefault("BatchSize", 10)));
            long window = Long.parseLong(intrinsics.text(event.getOrDefault("MaximumBatchingWindowInSeconds", 0)));
            if (batchSize > 10 && window < 1) {
                problems.add(function + " takes batches of " + batchSize + " with no MaximumBatchingWindowInSeconds;"
                        + " SQS event sources need a window of at least 1 s above 10" + when(overrides));
            }
        });
    }

    private void retention(Template template, Map<String, String> overrides, List<String> problems) {
        forEachSqsEventSource(template, (function, queue, event, intrinsics) -> {
            Map<String, Object> variables = Template.asMap(Template.asMap(template.properties(function)
                    .getOrDefault("Environment", Map.of())).getOrDefault("Variables", Map.of()));
            if (!variables.containsKey("ERRAND_MAX_ATTEMPTS")) {
                return;
            }
            long attempts = Long.parseLong(intrinsics.text(variables.get("ERRAND_MAX_ATTEMPTS")));
            long retention = Long.parseLong(intrinsics.text(template.properties(queue).getOrDefault("MessageRetentionPeriod", 345600)));
            long schedule = (attempts - 1) * LONGEST_GAP_SECONDS;
            if (retention < schedule) {
                problems.add(queue + " MessageRetentionPeriod " + retention + " s ends before " + attempts
                        + " attempts can be made (up to " + schedule + " s when each gap is 12 h)" + when(overrides));
            }
        });
    }

    /** A body as large as MaxBodyBytes must still leave room for everything else a job's SQS message holds. */
    private void messageSize(Template template, Map<String, String> overrides, List<String> problems) {
        Intrinsics intrinsics = template.intrinsics(new Placeholders());
        for (String function : template.resources("AWS::Serverless::Function").keySet()) {
            Map<String, Object> variables = Template.asMap(Template.asMap(template.properties(function)
                    .getOrDefault("Environment", Map.of())).getOrDefault("Variables", Map.of()));
            if (!variables.containsKey(MAX_BODY_VARIABLE)) {
                continue;
            }
            long body = Long.parseLong(intrinsics.text(variables.get(MAX_BODY_VARIABLE)));
            long total = body + MessageBudget.SQS_MESSAGE_BYTES - MessageBudget.LARGEST_BODY_BYTES;
            if (total > MessageBudget.SQS_MESSAGE_BYTES) {
                problems.add(function + " accepts bodies of " + body + " bytes: with the envelope (" + MessageBudget.ENVELOPE_FIELDS_BYTES
                        + "), target (" + MessageBudget.TARGET_BYTES + "), path (" + MessageBudget.PATH_BYTES + "), notify ("
                        + MessageBudget.NOTIFY_BYTES + "), 50 headers ("
                        + MessageBudget.HEADERS_BYTES + "), dead-letter attributes (" + MessageBudget.ATTRIBUTES_BYTES
                        + ") and the consumer's fields (" + MessageBudget.CONSUMER_FIELDS_BYTES + ") a job can take " + total
                        + " bytes, over SQS's " + MessageBudget.SQS_MESSAGE_BYTES + when(overrides));
            }
        }
    }

    private void handlers(Template template, List<String> problems) {
        Intrinsics intrinsics = template.intrinsics(new Placeholders());
        for (String function : template.resources("AWS::Serverless::Function").keySet()) {
            Map<String, Object> properties = template.properties(function);
            String handler = String.valueOf(properties.get("Handler"));
            String className = handler.split("::")[0];
            Path jar = repository.resolve(String.valueOf(properties.get("CodeUri")));
            if (!Files.isRegularFile(jar)) {
                problems.add(function + " CodeUri " + jar + " does not exist: build with mvn package first");
            } else if (!jarHolds(jar, className.replace('.', '/') + ".class")) {
                problems.add(function + " Handler class " + className + " is not in " + jar);
            }
            Map<String, Object> variables = Template.asMap(intrinsics.resolve(Template.asMap(properties.getOrDefault("Environment", Map.of()))
                    .getOrDefault("Variables", Map.of())));
            for (String variable : environmentOf(className, function, problems)) {
                if (!variables.containsKey(variable) || intrinsics.text(variables.get(variable)).isBlank()) {
                    problems.add(function + " does not set " + variable + ", which " + className + " reads");
                }
            }
        }
    }

    /**
     * Jobs for later: what a function schedules (ERRAND_JOBS_QUEUE_ARN) must be a queue a function polls, and
     * the role the schedules send with (ERRAND_SCHEDULER_ROLE_ARN) must be allowed to send to exactly it.
     */
    private void scheduling(Template template, List<String> problems) {
        Intrinsics intrinsics = template.intrinsics(new Placeholders());
        List<String> polled = new ArrayList<>();
        forEachSqsEventSource(template, (function, queue, event, i) -> polled.add("arn:" + queue));
        for (String function : template.resources("AWS::Serverless::Function").keySet()) {
            Map<String, Object> variables = Template.asMap(intrinsics.resolve(Template.asMap(template.properties(function)
                    .getOrDefault("Environment", Map.of())).getOrDefault("Variables", Map.of())));
            if (!variables.containsKey("ERRAND_JOBS_QUEUE_ARN")) {
                continue;
            }
            String queue = intrinsics.text(variables.get("ERRAND_JOBS_QUEUE_ARN"));
            if (!polled.contains(queue)) {
                problems.add(function + " schedules jobs onto " + queue + ", which no function polls");
            }
            String role = intrinsics.text(variables.getOrDefault("ERRAND_SCHEDULER_ROLE_ARN", "")).replaceFirst("^arn:", "");
            if (!template.resources("AWS::IAM::Role").containsKey(role)) {
                problems.add(function + " names scheduler role " + role + ", which is not a role of this template");
            } else if (!sendsTo(intrinsics.resolve(template.properties(role).getOrDefault("Policies", List.of())), queue)) {
                problems.add("role " + role + " may not sqs:SendMessage to " + queue + ", where " + function + "'s schedules send jobs");
            }
        }
    }

    /** Whether a role's inline policies allow sqs:SendMessage on exactly this queue. */
    private static boolean sendsTo(Object policies, String queue) {
        if (!(policies instanceof List<?> list)) {
            return false;
        }
        return list.stream().map(Template::asMap).map(p -> Template.asMap(p.get("PolicyDocument")).get("Statement"))
                .filter(List.class::isInstance).flatMap(st -> ((List<?>) st).stream()).map(Template::asMap)
                .anyMatch(st -> "Allow".equals(st.get("Effect")) && String.valueOf(st.get("Action")).contains("sqs:SendMessage")
                        && (queue.equals(st.get("Resource")) || (st.get("Resource") instanceof List<?> r && r.contains(queue))));
    }

    private static List<String> environmentOf(String className, String function, List<String> problems) {
        try {
            Object declared = Class.forName(className).getField("ENVIRONMENT").get(null);
            return ((List<?>) declared).stream().map(String::valueOf).toList();
        } catch (ReflectiveOperationException e) {
            problems.add(function + " Handler class " + className + " cannot be loaded or declares no ENVIRONMENT: " + e);
            return List.of();
        }
    }

    private static boolean jarHolds(Path jar, String entry) {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.getEntry(entry) != null;
        } catch (IOException e) {
            return false;
        }
    }

    /** Calls back for each function's SQS event with the queue it polls. */
    private void forEachSqsEventSource(Template template, SqsEventSource check) {
        Intrinsics intrinsics = template.intrinsics(new Placeholders());
        Map<String, String> queueByArn = new HashMap<>();
        template.resources("AWS::SQS::Queue").keySet().forEach(q -> queueByArn.put("arn:" + q, q));
        for (String function : template.resources("AWS::Serverless::Function").keySet()) {
            Map<String, Object> events = Template.asMap(template.properties(function).getOrDefault("Events", Map.of()));
            for (Object e : events.values()) {
                Map<String, Object> event = Template.asMap(e);
                if ("SQS".equals(event.get("Type"))) {
                    Map<String, Object> properties = Template.asMap(event.getOrDefault("Properties", Map.of()));
                    String queue = queueByArn.get(intrinsics.text(properties.get("Queue")));
                    if (queue != null) {
                        check.apply(function, queue, properties, intrinsics);
                    }
                }
            }
        }
    }

    @FunctionalInterface
    private interface SqsEventSource {
        void apply(String function, String queue, Map<String, Object> event, Intrinsics intrinsics);
    }

    /** Ref and GetAtt answered with recognisable placeholders: the checks need shapes, not real resources. */
    private static final class Placeholders implements Intrinsics.Resources {
        @Override
        public Optional<String> ref(String logicalId) {
            return Optional.of("ref:" + logicalId);
        }

        @Override
        public Optional<String> attribute(String logicalId, String attribute) {
            return Optional.of(attribute.equals("Arn") ? "arn:" + logicalId : attribute.toLowerCase() + ":" + logicalId);
        }
    }

    /** One line per problem: the same fault seen under several parameter variants is reported once, first seen first. */
    private static List<String> firstOfEach(List<String> problems) {
        Map<String, String> byFault = new LinkedHashMap<>();
        problems.forEach(p -> byFault.putIfAbsent(p.replaceAll(" \\(with [^)]*\\)$", ""), p));
        return List.copyOf(byFault.values());
    }

    private static String when(Map<String, String> overrides) {
        return overrides.isEmpty() ? " (with the defaults)" : " (with " + new LinkedHashMap<>(overrides) + ")";
    }
}
