package dev.errand.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.errand.aws.AwsClients;
import dev.errand.aws.Env;
import dev.errand.emulators.ElasticMq;
import dev.errand.emulators.MotoServer;
import dev.errand.local.template.Intrinsics;
import dev.errand.local.template.Template;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.scheduler.model.ConflictException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueNameExistsException;

/**
 * Errand on a laptop, from template.yaml: ElasticMQ for the queues it declares, its functions' handlers
 * with the environment the template gives them, the HTTP API's routes, and the SQS event sources.
 * No Docker, no AWS account. Closing it stops everything in reverse order.
 */
public final class LocalRuntime implements AutoCloseable {

    /** Lambda starts five pollers per SQS event source; the local runtime never runs more. */
    static final int MAX_POLLERS = 5;
    static final String HOST = "127.0.0.1";
    /** The only credentials ElasticMQ (and moto) need: any will do. */
    static final Map<String, String> LOCAL_AWS = Map.of(
            "AWS_REGION", "us-east-1",
            "AWS_ACCESS_KEY_ID", "local",
            "AWS_SECRET_ACCESS_KEY", "local");

    /**
     * How to start: where the template is, parameter overrides, ports (0 picks a free one), targets, and
     * how to tell whether moto can run here ({@link MotoServer#unavailable} unless a test says otherwise).
     */
    public record Options(Path template, Map<String, String> parameterOverrides, int apiPort, int sqsPort,
                          int demoPort, boolean demo, Optional<String> targets, Map<String, String> extraEnv,
                          HandlerFactory handlers, Consumer<String> console, Supplier<Optional<String>> motoProblem,
                          Optional<URI> awsEndpoint, int motoPort) {

        public Options {
            parameterOverrides = Map.copyOf(parameterOverrides);
            extraEnv = Map.copyOf(extraEnv);
        }

        /** The defaults of {@code scripts/run-local.sh}. */
        public static Options defaults(Path template) {
            return new Options(template, Map.of(), 3000, 9324, 3001, true, Optional.empty(), Map.of(),
                    HandlerFactory.REFLECTIVE, System.out::println, MotoServer::unavailable, Optional.empty(), LOCAL_MOTO_PORT);
        }

        /** For tests: free ports, no demo provider, quiet. */
        public static Options forTests(Path template, String targets) {
            return new Options(template, Map.of(), 0, 0, 0, false, Optional.of(targets), Map.of(),
                    HandlerFactory.REFLECTIVE, line -> { }, MotoServer::unavailable, Optional.empty(), 0);
        }

        public Options withParameters(Map<String, String> overrides) {
            return new Options(template, overrides, apiPort, sqsPort, demoPort, demo, targets, extraEnv, handlers, console, motoProblem, awsEndpoint, motoPort);
        }

        public Options withHandlers(HandlerFactory factory) {
            return new Options(template, parameterOverrides, apiPort, sqsPort, demoPort, demo, targets, extraEnv, factory, console, motoProblem, awsEndpoint, motoPort);
        }

        public Options withEnv(Map<String, String> env) {
            return new Options(template, parameterOverrides, apiPort, sqsPort, demoPort, demo, targets, env, handlers, console, motoProblem, awsEndpoint, motoPort);
        }

        public Options withConsole(Consumer<String> out) {
            return new Options(template, parameterOverrides, apiPort, sqsPort, demoPort, demo, targets, extraEnv, handlers, out, motoProblem, awsEndpoint, motoPort);
        }

        /** For tests of a machine without moto. */
        public Options withMotoProblem(Supplier<Optional<String>> problem) {
            return new Options(template, parameterOverrides, apiPort, sqsPort, demoPort, demo, targets, extraEnv, handlers, console, problem, awsEndpoint, motoPort);
        }

        /**
         * Uses an AWS API that is already running (LocalStack, say) for SQS, DynamoDB, SSM and Secrets
         * Manager instead of the embedded ElasticMQ and moto.
         */
        public Options withAwsEndpoint(URI endpoint) {
            return new Options(template, parameterOverrides, apiPort, sqsPort, demoPort, demo, targets, extraEnv, handlers, console,
                    motoProblem, Optional.of(endpoint), motoPort);
        }
    }

    /** A queue as created locally. */
    public record Queue(String logicalId, String name, String url, String arn) {}

    /** Where run-local.sh runs moto, next to ElasticMQ's 9324, so the operator CLI finds it with --local. */
    public static final int LOCAL_MOTO_PORT = 9325;

    /** The parameter that turns job records off, when moto cannot run here. */
    static final String RECORDS_PARAMETER = "JobRecords";

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final Template template;
    private final Map<String, Queue> queues = new LinkedHashMap<>();
    private final Map<String, String> functionNames = new LinkedHashMap<>();
    private final Map<String, String> tables = new LinkedHashMap<>();
    private final Map<String, String> scheduleGroups = new LinkedHashMap<>();
    private Optional<MotoServer> moto = Optional.empty();
    private Optional<ElasticMq> elasticMq = Optional.empty();
    private Optional<URI> external = Optional.empty();
    private SqsClient sqs;
    private ApiGateway api;
    private Optional<DemoProvider> demo = Optional.empty();

    private LocalRuntime(Template template) {
        this.template = template;
    }

    public static LocalRuntime start(Options options) {
        Template template = Template.read(options.template(), options.parameterOverrides());
        if (!template.resources("AWS::DynamoDB::Table").isEmpty() && !options.parameterOverrides().containsKey(RECORDS_PARAMETER)
                && options.awsEndpoint().isEmpty()) {
            Optional<String> noMoto = options.motoProblem().get();
            if (noMoto.isPresent()) {
                options.console().accept("Job records are off: moto cannot run here (" + noMoto.get() + "); "
                        + MotoServer.INSTALL_HINT + " turns them on. Submitting and delivery work without them.");
                Map<String, String> overrides = new LinkedHashMap<>(options.parameterOverrides());
                overrides.put(RECORDS_PARAMETER, "Disabled");
                template = Template.read(options.template(), overrides);
            }
        }
        LocalRuntime runtime = new LocalRuntime(template);
        try {
            runtime.boot(options);
            return runtime;
        } catch (IOException | ReflectiveOperationException | RuntimeException e) {
            runtime.close();
            throw new IllegalStateException("the local runtime could not start: " + rootMessage(e), e);
        }
    }

    public Template template() {
        return template;
    }

    public URI apiUrl() {
        return api.url();
    }

    /** Whether an external AWS endpoint (LocalStack) stands in for the embedded emulators. */
    public boolean usesExternalAws() {
        return external.isPresent();
    }

    public URI sqsEndpoint() {
        return external.or(() -> elasticMq.map(ElasticMq::endpoint)).orElseThrow();
    }

    public Optional<URI> demoUrl() {
        return demo.map(DemoProvider::url);
    }

    public Queue queue(String logicalId) {
        return Optional.ofNullable(queues.get(logicalId))
                .orElseThrow(() -> new IllegalArgumentException("template.yaml declares no queue " + logicalId));
    }

    public Map<String, Queue> queues() {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(queues));
    }

    /** A client for the local queues, for tests and tools. */
    public SqsClient sqs() {
        return sqs;
    }

    /** The environment a function gets locally: AWS endpoints and credentials for the emulators. */
    public Map<String, String> awsEnvironment() {
        Map<String, String> env = new LinkedHashMap<>(LOCAL_AWS);
        external.ifPresent(url -> env.put("AWS_ENDPOINT_URL", url.toString()));
        env.put("AWS_ENDPOINT_URL_SQS", sqsEndpoint().toString());
        moto.ifPresent(m -> {
            env.put("AWS_ENDPOINT_URL_DYNAMODB", m.endpoint().toString());
            env.put("AWS_ENDPOINT_URL_SSM", m.endpoint().toString());
            env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", m.endpoint().toString());
            env.put("AWS_ENDPOINT_URL_SCHEDULER", m.endpoint().toString());
            env.put("AWS_ENDPOINT_URL_EVENTBRIDGE", m.endpoint().toString());
        });
        return env;
    }

    /** Where DynamoDB is, when job records run locally: moto, or the external endpoint. */
    public Optional<URI> motoEndpoint() {
        return moto.map(MotoServer::endpoint).or(() -> tables.isEmpty() ? Optional.empty() : external);
    }

    /** The job records table's local name, when the template declares one and records are on. */
    public Optional<String> table(String logicalId) {
        return Optional.ofNullable(tables.get(logicalId));
    }

    @Override
    public void close() {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                System.err.println("[local] while stopping: " + e);
            }
        }
    }

    private void boot(Options options) throws IOException, ReflectiveOperationException {
        external = options.awsEndpoint();
        if (external.isEmpty()) {
            elasticMq = Optional.of(remember(ElasticMq.start(HOST, options.sqsPort())));
            // job records, and the scheduler for jobs due later: moto serves both (records off: moto cannot run here)
            if (!template.resources("AWS::DynamoDB::Table").isEmpty()
                    || (!template.resources(SCHEDULE_GROUP).isEmpty() && options.motoProblem().get().isEmpty())) {
                moto = Optional.of(remember(MotoServer.start(options.motoPort())));
            }
        }
        AwsClients clients = new AwsClients(new Env(awsEnvironment()));
        sqs = remember(clients.sqs());
        createQueues();
        createTables(clients);
        if (moto.isPresent() || external.isPresent()) {
            createScheduleGroups(clients, options);
            createEventBus(clients);
        }
        if (options.demo()) {
            demo = Optional.of(remember(new DemoProvider(HOST, options.demoPort(), options.console())));
        }
        Intrinsics intrinsics = template.intrinsics(new LocalResources());
        List<ApiGateway.Route> routes = new ArrayList<>();
        List<Runnable> pollers = new ArrayList<>();
        for (String id : template.resources("AWS::Serverless::Function").keySet()) {
            functionNames.put(id, id);
        }
        Map<String, Object> handlers = new LinkedHashMap<>();
        for (String id : functionNames.keySet()) {
            Map<String, Object> properties = template.properties(id);
            String handlerClass = String.valueOf(properties.get("Handler")).split("::")[0];
            Duration timeout = Duration.ofSeconds(Long.parseLong(intrinsics.text(properties.getOrDefault("Timeout", 3))));
            int memory = Integer.parseInt(intrinsics.text(properties.getOrDefault("MemorySize", 128)));
            Object handler = options.handlers().create(handlerClass, new Env(environment(id, properties, intrinsics, options)));
            handlers.put(id, handler);
            Map<String, Object> events = asMap(properties.getOrDefault("Events", Map.of()));
            for (Object e : events.values()) {
                Map<String, Object> event = asMap(e);
                Map<String, Object> p = asMap(intrinsics.resolve(event.getOrDefault("Properties", Map.of())));
                switch (String.valueOf(event.get("Type"))) {
                    case "HttpApi" -> routes.add(new ApiGateway.Route(String.valueOf(p.get("Method")).toUpperCase(),
                            String.valueOf(p.get("Path")), apiHandler(handler), id, timeout, memory));
                    case "SQS" -> pollers.add(() -> remember(new EventSourcePoller(sqs, source(id, p, timeout, memory),
                            sqsHandler(handler), options.console())));
                    default -> throw new IllegalArgumentException("event type " + event.get("Type") + " of " + id + " is not run locally");
                }
            }
        }
        routes.addAll(apiGatewayRoutes(intrinsics, handlers));
        api = remember(new ApiGateway(HOST, options.apiPort(), routes));
        pollers.forEach(Runnable::run);
    }

    /** Routes declared as AWS::ApiGatewayV2::Route resources, each through its integration to a function. */
    private List<ApiGateway.Route> apiGatewayRoutes(Intrinsics intrinsics, Map<String, Object> handlers) {
        List<ApiGateway.Route> routes = new ArrayList<>();
        for (String id : template.resources("AWS::ApiGatewayV2::Route").keySet()) {
            Map<String, Object> route = asMap(intrinsics.resolve(template.properties(id)));
            String[] key = String.valueOf(route.get("RouteKey")).split(" ", 2);
            String integration = String.valueOf(route.get("Target")).replaceFirst("^integrations/", "");
            String uri = intrinsics.text(template.properties(integration).get("IntegrationUri"));
            String function = uri.replaceFirst("^function:", "");
            if (!handlers.containsKey(function)) {
                throw new IllegalArgumentException("route " + id + " leads to " + uri + ", which is not a function of this template");
            }
            Map<String, Object> properties = template.properties(function);
            routes.add(new ApiGateway.Route(key[0].toUpperCase(), key[1], apiHandler(handlers.get(function)), function,
                    Duration.ofSeconds(Long.parseLong(intrinsics.text(properties.getOrDefault("Timeout", 3)))),
                    Integer.parseInt(intrinsics.text(properties.getOrDefault("MemorySize", 128)))));
        }
        return routes;
    }

    private void createQueues() {
        Intrinsics plain = template.intrinsics(new LocalResources());
        Map<String, Map<String, Object>> declared = template.resources("AWS::SQS::Queue");
        for (String id : declared.keySet()) {
            Map<String, Object> p = template.properties(id);
            String name = Optional.ofNullable(p.get("QueueName")).map(plain::text).orElse(Intrinsics.PSEUDO.get("AWS::StackName") + "-" + id);
            Map<String, String> attributes = new LinkedHashMap<>();
            for (String attribute : List.of("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds",
                    "ReceiveMessageWaitTimeSeconds", "MaximumMessageSize")) {
                if (p.containsKey(attribute)) {
                    attributes.put(attribute, plain.text(p.get(attribute)));
                }
            }
            String url = createQueue(name, attributes);
            String arn = sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                    .attributes().get(QueueAttributeName.QUEUE_ARN);
            queues.put(id, new Queue(id, name, url, arn));
        }
        // redrive policies name other queues' ARNs, so they are set once every queue exists
        for (String id : declared.keySet()) {
            Object redrive = template.properties(id).get("RedrivePolicy");
            if (redrive != null) {
                Map<String, Object> policy = asMap(plain.resolve(redrive));
                String json = "{\"deadLetterTargetArn\":\"" + policy.get("deadLetterTargetArn") + "\",\"maxReceiveCount\":"
                        + plain.text(policy.get("maxReceiveCount")) + "}";
                sqs.setQueueAttributes(b -> b.queueUrl(queues.get(id).url()).attributesWithStrings(Map.of("RedrivePolicy", json)));
            }
        }
    }

    /** Creates a queue, or takes the one a long-lived endpoint (LocalStack) kept from an earlier run. */
    private String createQueue(String name, Map<String, String> attributes) {
        try {
            return sqs.createQueue(b -> b.queueName(name).attributesWithStrings(attributes)).queueUrl();
        } catch (QueueNameExistsException e) {
            String url = sqs.getQueueUrl(b -> b.queueName(name)).queueUrl();
            sqs.setQueueAttributes(b -> b.queueUrl(url).attributesWithStrings(attributes));
            return url;
        }
    }

    static final String SCHEDULE_GROUP = "AWS::Scheduler::ScheduleGroup";

    /** Creates the template's schedule groups, and fires their due schedules as EventBridge Scheduler would. */
    private void createScheduleGroups(AwsClients clients, Options options) {
        Intrinsics plain = template.intrinsics(new LocalResources());
        for (String id : template.resources(SCHEDULE_GROUP).keySet()) {
            String name = Optional.ofNullable(template.properties(id).get("Name")).map(plain::text)
                    .orElse(Intrinsics.PSEUDO.get("AWS::StackName") + "-" + id);
            try (SchedulerClient scheduler = clients.scheduler()) {
                scheduler.createScheduleGroup(b -> b.name(name));
            } catch (ConflictException e) {
                // kept from an earlier run by a long-lived endpoint
            }
            scheduleGroups.put(id, name);
        }
        if (!scheduleGroups.isEmpty()) {
            Map<String, String> urls = new LinkedHashMap<>();
            queues.values().forEach(q -> urls.put(q.arn(), q.url()));
            remember(new SchedulerStandIn(clients.scheduler(), List.copyOf(scheduleGroups.values()), urls, sqs, options.console(),
                    java.time.Clock.systemUTC()));
        }
    }

    /** The bus EventBusName names, if any: on AWS it must exist already; locally it is made. */
    private void createEventBus(AwsClients clients) {
        if (!template.parameters().containsKey("EventBusName") || template.parameter("EventBusName").isBlank()) {
            return;
        }
        String bus = template.parameter("EventBusName");
        try (var events = clients.eventBridge()) {
            if (events.listEventBuses(b -> b.namePrefix(bus)).eventBuses().stream().noneMatch(e -> e.name().equals(bus))) {
                events.createEventBus(b -> b.name(bus));
            }
        }
    }

    /** Creates each table the template declares in moto: key schema, billing mode, TTL, global secondary indexes. */
    private void createTables(AwsClients clients) {
        Intrinsics plain = template.intrinsics(new LocalResources());
        for (String id : template.resources("AWS::DynamoDB::Table").keySet()) {
            Map<String, Object> p = asMap(plain.resolve(template.properties(id)));
            String name = Optional.ofNullable(p.get("TableName")).map(String::valueOf).orElse(Intrinsics.PSEUDO.get("AWS::StackName") + "-" + id);
            try (DynamoDbClient dynamo = clients.dynamoDb()) {
                if (dynamo.listTables().tableNames().contains(name)) {
                    tables.put(id, name);
                    continue;
                }
                dynamo.createTable(b -> b.tableName(name)
                        .billingMode(BillingMode.PAY_PER_REQUEST)
                        .attributeDefinitions(list(p.get("AttributeDefinitions")).stream().map(a -> AttributeDefinition.builder()
                                .attributeName(String.valueOf(a.get("AttributeName"))).attributeType(String.valueOf(a.get("AttributeType"))).build()).toList())
                        .keySchema(keys(p.get("KeySchema")))
                        .globalSecondaryIndexes(list(p.get("GlobalSecondaryIndexes")).isEmpty() ? null
                                : list(p.get("GlobalSecondaryIndexes")).stream().map(g -> GlobalSecondaryIndex.builder()
                                        .indexName(String.valueOf(g.get("IndexName")))
                                        .keySchema(keys(g.get("KeySchema")))
                                        .projection(x -> x.projectionType(String.valueOf(asMap(g.get("Projection")).getOrDefault("ProjectionType", "ALL"))))
                                        .build()).toList()));
                Map<String, Object> ttl = asMap(p.getOrDefault("TimeToLiveSpecification", Map.of()));
                if (Boolean.parseBoolean(String.valueOf(ttl.get("Enabled")))) {
                    dynamo.updateTimeToLive(b -> b.tableName(name).timeToLiveSpecification(t -> t
                            .attributeName(String.valueOf(ttl.get("AttributeName"))).enabled(true)));
                }
            }
            tables.put(id, name);
        }
    }

    private static List<KeySchemaElement> keys(Object schema) {
        return list(schema).stream().map(k -> KeySchemaElement.builder()
                .attributeName(String.valueOf(k.get("AttributeName"))).keyType(String.valueOf(k.get("KeyType"))).build()).toList();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object node) {
        return node instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
    }

    private Map<String, String> environment(String functionId, Map<String, Object> properties, Intrinsics intrinsics, Options options) {
        Map<String, String> env = new LinkedHashMap<>();
        // resolved as a whole, so a variable set to !Ref AWS::NoValue is left out as CloudFormation leaves it out
        Map<String, Object> variables = asMap(intrinsics.resolve(
                asMap(properties.getOrDefault("Environment", Map.of())).getOrDefault("Variables", Map.of())));
        variables.forEach((k, v) -> env.put(k, intrinsics.text(v)));
        if (moto.isEmpty() && external.isEmpty()) {
            // no stand-in for the scheduler or EventBridge without moto: jobs due later than the queue's delay are refused
            env.remove(Env.SCHEDULE_GROUP);
            env.remove(Env.EVENT_BUS);
        }
        env.putAll(awsEnvironment());
        env.put("AWS_LAMBDA_FUNCTION_NAME", functionId);
        env.put(Env.TARGETS, options.targets().orElseGet(this::demoTargets));
        env.putAll(options.extraEnv());
        return env;
    }

    /** Without ERRAND_TARGETS, the one target is the demo provider; plain http is allowed for it alone. */
    private String demoTargets() {
        String url = demo.map(d -> d.url().toString()).orElse("http://" + HOST + ":3001");
        return "{\"targets\":{\"demo\":{\"baseUrl\":\"" + url + "\",\"allowInsecure\":true,\"timeoutMs\":5000}}}";
    }

    private EventSourcePoller.Source source(String functionId, Map<String, Object> p, Duration timeout, int memory) {
        String arn = String.valueOf(p.get("Queue"));
        Queue queue = queues.values().stream().filter(q -> q.arn().equals(arn)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(functionId + " polls " + arn + ", which is not a queue of this template"));
        int maxConcurrency = Integer.parseInt(String.valueOf(asMap(p.getOrDefault("ScalingConfig", Map.of()))
                .getOrDefault("MaximumConcurrency", "1000")));
        boolean partial = String.valueOf(p.getOrDefault("FunctionResponseTypes", List.of())).contains("ReportBatchItemFailures");
        return new EventSourcePoller.Source(functionId, queue.url(), queue.arn(),
                Integer.parseInt(String.valueOf(p.getOrDefault("BatchSize", "10"))),
                Integer.parseInt(String.valueOf(p.getOrDefault("MaximumBatchingWindowInSeconds", "0"))),
                partial, Math.min(MAX_POLLERS, maxConcurrency), timeout, memory);
    }

    /** Ref and GetAtt of this template's resources, as they exist locally. */
    private final class LocalResources implements Intrinsics.Resources {
        @Override
        public Optional<String> ref(String logicalId) {
            if (queues.containsKey(logicalId)) {
                return Optional.of(queues.get(logicalId).url());
            }
            if (functionNames.containsKey(logicalId)) {
                return Optional.of(logicalId);
            }
            if (logicalId.endsWith(".Alias") && functionNames.containsKey(logicalId.substring(0, logicalId.length() - ".Alias".length()))) {
                return Optional.of("function:" + logicalId.substring(0, logicalId.length() - ".Alias".length()));
            }
            if (tables.containsKey(logicalId)) {
                return Optional.of(tables.get(logicalId));
            }
            if (scheduleGroups.containsKey(logicalId)) {
                return Optional.of(scheduleGroups.get(logicalId));
            }
            if (template.resources(SCHEDULE_GROUP).containsKey(logicalId)) {
                return Optional.of(Intrinsics.PSEUDO.get("AWS::StackName") + "-jobs");
            }
            if (!template.resources("AWS::ApiGatewayV2::Integration").getOrDefault(logicalId, Map.of()).isEmpty()) {
                return Optional.of(logicalId);
            }
            boolean api = template.resources("AWS::Serverless::HttpApi").containsKey(logicalId)
                    || template.resources("AWS::ApiGatewayV2::Api").containsKey(logicalId);
            return api ? Optional.of("local") : Optional.empty();
        }

        @Override
        public Optional<String> attribute(String logicalId, String attribute) {
            Optional<Queue> queue = Optional.ofNullable(queues.get(logicalId));
            return switch (attribute) {
                case "Arn" -> queue.map(Queue::arn)
                        .or(() -> Optional.ofNullable(tables.get(logicalId)).map(t -> "arn:aws:dynamodb:us-east-1:000000000000:table/" + t))
                        .or(() -> Optional.of(logicalId).filter(functionNames::containsKey).map(f -> "function:" + f))
                        .or(() -> Optional.of(logicalId).filter(template.resources("AWS::IAM::Role")::containsKey)
                                .map(r -> "arn:aws:iam::000000000000:role/" + r));
                case "QueueName" -> queue.map(Queue::name);
                case "QueueUrl" -> queue.map(Queue::url);
                case "TableName" -> Optional.ofNullable(tables.get(logicalId));
                default -> Optional.empty();
            };
        }
    }

    @SuppressWarnings("unchecked")
    private static RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> apiHandler(Object handler) {
        return (RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>) handler;
    }

    @SuppressWarnings("unchecked")
    private static RequestHandler<SQSEvent, SQSBatchResponse> sqsHandler(Object handler) {
        return (RequestHandler<SQSEvent, SQSBatchResponse>) handler;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object node) {
        return node instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private <T extends AutoCloseable> T remember(T resource) {
        started.push(resource);
        return resource;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return Optional.ofNullable(t.getMessage()).orElse(t.toString());
    }
}
