package dev.errand.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.errand.aws.AwsClients;
import dev.errand.aws.CloudWatchJson;
import dev.errand.aws.Env;
import dev.errand.emulators.ElasticMq;
import dev.errand.emulators.MotoServer;
import dev.errand.local.logs.AccessLogFormat;
import dev.errand.local.logs.LocalCloudWatch;
import dev.errand.local.logs.LocalConsole;
import dev.errand.local.template.Intrinsics;
import dev.errand.local.template.Template;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
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
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * Errand on a laptop, from template.yaml: ElasticMQ for the queues it declares, its functions' handlers
 * with the environment the template gives them, the HTTP API's routes, and the SQS event sources.
 * No Docker, no AWS account. Closing it stops everything in reverse order.
 */
public final class LocalRuntime implements AutoCloseable {

    /**
     * Lambda scales an SQS event source up to its MaximumConcurrency (2 to 1,000); locally at most this many
     * pollers run, each invoking the function in turn, which is enough to see several invocations race.
     */
    static final int MAX_POLLERS = 10;
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
                          Optional<URI> awsEndpoint, int motoPort, LocalConsole.Format logFormat, boolean metrics,
                          boolean targetsInSsm) {

        public Options {
            parameterOverrides = Map.copyOf(parameterOverrides);
            extraEnv = Map.copyOf(extraEnv);
        }

        /** The defaults of {@code scripts/run-local.sh}: human lines, metrics for the console. */
        public static Options defaults(Path template) {
            return new Options(template, Map.of(), 3000, 9324, 3001, true, Optional.empty(), Map.of(),
                    HandlerFactory.REFLECTIVE, System.out::println, MotoServer::unavailable, Optional.empty(), LOCAL_MOTO_PORT,
                    LocalConsole.Format.HUMAN, true, false);
        }

        /** For tests: free ports, no demo provider, quiet, no metrics (a test that reads them turns them on). */
        public static Options forTests(Path template, String targets) {
            return new Options(template, Map.of(), 0, 0, 0, false, Optional.of(targets), Map.of(),
                    HandlerFactory.REFLECTIVE, line -> { }, MotoServer::unavailable, Optional.empty(), 0, LocalConsole.Format.HUMAN, false, false);
        }

        public Options withParameters(Map<String, String> overrides) {
            return new Options(template, overrides, apiPort, sqsPort, demoPort, demo, targets, extraEnv, handlers, console, motoProblem,
                    awsEndpoint, motoPort, logFormat, metrics, targetsInSsm);
        }

        public Options withHandlers(HandlerFactory factory) {
            return new Options(template, parameterOverrides, apiPort, sqsPort, demoPort, demo, targets, extraEnv, factory, console, motoProblem,
                    awsEndpoint, motoPort, logFormat, metrics, targetsInSsm);
        }

        public Options withEnv(Map<String, String> env) {
            return new Options(template, parameterOverrides, apiPort, sqsPort, demoPort, demo, targets, env, handlers, console, motoProblem,
                    awsEndpoint, motoPort, logFormat, metrics, targetsInSsm);
        }

        public Options withConsole(Consumer<String> out) {
            return new Options(template, parameterOverrides, apiPort, sqsPort, demoPort, demo, targets, extraEnv, handlers, out, motoProblem,
                    awsEndpoint, motoPort, logFormat, metrics, targetsInSsm);
        }

        /** For tests of a machine without moto. */
        public Options withMotoProblem(Supplier<Optional<String>> problem) {
            return new Options(template, parameterOverrides, apiPort, sqsPort, demoPort, demo, targets, extraEnv, handlers, console, problem,
                    awsEndpoint, motoPort, logFormat, metrics, targetsInSsm);
        }

        /**
         * Puts the targets document in SSM (moto), under the name the template gives the functions, as a
         * deployment does; they read it from there, and again every TargetsRefreshSeconds.
         */
        public Options withTargetsInSsm() {
            return new Options(template, parameterOverrides, apiPort, sqsPort, demoPort, demo, targets, extraEnv, handlers, console,
                    motoProblem, awsEndpoint, motoPort, logFormat, metrics, true);
        }

        /**
         * Uses an AWS API that is already running (LocalStack, say) for SQS, DynamoDB, SSM and Secrets
         * Manager instead of the embedded ElasticMQ and moto.
         */
        public Options withAwsEndpoint(URI endpoint) {
            return new Options(template, parameterOverrides, apiPort, sqsPort, demoPort, demo, targets, extraEnv, handlers, console,
                    motoProblem, Optional.of(endpoint), motoPort, logFormat, metrics, targetsInSsm);
        }

        /** Readable lines, or what Lambda and API Gateway would log (--json-logs). */
        public Options withLogFormat(LocalConsole.Format format) {
            return new Options(template, parameterOverrides, apiPort, sqsPort, demoPort, demo, targets, extraEnv, handlers, console,
                    motoProblem, awsEndpoint, motoPort, format, metrics, targetsInSsm);
        }

        /**
         * Plays what the operator console reads on AWS: the functions' EMF metrics put into moto's CloudWatch,
         * and the targets document put into moto's SSM (needs moto).
         */
        public Options withMetrics(boolean on) {
            return new Options(template, parameterOverrides, apiPort, sqsPort, demoPort, demo, targets, extraEnv, handlers, console,
                    motoProblem, awsEndpoint, motoPort, logFormat, on, targetsInSsm);
        }
    }

    /** A queue as created locally. */
    public record Queue(String logicalId, String name, String url, String arn) {}

    /** Where run-local.sh runs moto, next to ElasticMQ's 9324, so the operator CLI finds it with --local. */
    public static final int LOCAL_MOTO_PORT = 9325;

    /** The template parameter naming the SSM parameter that holds the targets document. */
    static final String TARGETS_PARAMETER = "TargetsParameterName";

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
    /** Whether EMF metrics go to local CloudWatch and the targets document to local SSM (moto). */
    private final boolean metrics;
    private LocalConsole console;

    /** moto cannot run here: no DynamoDB tables, so no job records and no fleet-wide target state. */
    private final boolean withoutMoto;

    private LocalRuntime(Template template, boolean metrics, boolean withoutMoto) {
        this.template = template;
        this.metrics = metrics;
        this.withoutMoto = withoutMoto;
    }

    public static LocalRuntime start(Options options) {
        Template template = Template.read(options.template(), options.parameterOverrides());
        boolean wantsTables = !template.resources("AWS::DynamoDB::Table").isEmpty();
        Optional<String> noMoto = (wantsTables || options.metrics() || options.targetsInSsm()) && options.awsEndpoint().isEmpty()
                ? options.motoProblem().get() : Optional.empty();
        if (noMoto.isPresent() && wantsTables) {
            options.console().accept("Job records and fleet-wide target control are off: moto cannot run here (" + noMoto.get()
                    + "); " + MotoServer.INSTALL_HINT + " turns them on. Submitting and delivery work without them, each"
                    + " invocation protecting its targets on its own.");
            Map<String, String> overrides = new LinkedHashMap<>(options.parameterOverrides());
            overrides.putIfAbsent(RECORDS_PARAMETER, "Disabled");
            template = Template.read(options.template(), overrides);
        }
        if (noMoto.isPresent() && options.metrics()) {
            options.console().accept("Metrics for the console are off: moto, which stands in for CloudWatch, cannot run here ("
                    + noMoto.get() + "). The console still shows the queues and the dead letters.");
        }
        if (noMoto.isPresent() && options.targetsInSsm()) {
            throw new IllegalStateException("--targets-in-ssm needs moto, which stands in for SSM: " + noMoto.get() + "; " + MotoServer.INSTALL_HINT);
        }
        LocalRuntime runtime = new LocalRuntime(template, options.metrics() && noMoto.isEmpty(), noMoto.isPresent());
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
            env.put("AWS_ENDPOINT_URL_CLOUDWATCH", m.endpoint().toString());
            env.put("AWS_ENDPOINT_URL_DYNAMODB", m.endpoint().toString());
            env.put("AWS_ENDPOINT_URL_SSM", m.endpoint().toString());
            env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", m.endpoint().toString());
            env.put("AWS_ENDPOINT_URL_SCHEDULER", m.endpoint().toString());
            env.put("AWS_ENDPOINT_URL_EVENTBRIDGE", m.endpoint().toString());
        });
        return env;
    }

    /** Where moto is (DynamoDB for job records, CloudWatch and SSM for the console), or the external endpoint. */
    public Optional<URI> motoEndpoint() {
        return moto.map(MotoServer::endpoint).or(() -> tables.isEmpty() && !metrics ? Optional.empty() : external);
    }

    /** Whether the functions' metrics go to local CloudWatch, for the console. */
    public boolean metrics() {
        return metrics;
    }

    /** The job records table's local name, when the template declares one and records are on. */
    public Optional<String> table(String logicalId) {
        return Optional.ofNullable(tables.get(logicalId));
    }

    /** Stops moto under the running functions, as an outage of DynamoDB would look to them (tests of that outage). */
    void stopMoto() {
        moto.ifPresent(MotoServer::close);
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
            // job records, target state, the scheduler for jobs due later, the console's CloudWatch and SSM: moto serves them all
            if (!withoutMoto && (!template.resources("AWS::DynamoDB::Table").isEmpty() || metrics || options.targetsInSsm()
                    || !template.resources(SCHEDULE_GROUP).isEmpty())) {
                moto = Optional.of(remember(MotoServer.start(options.motoPort())));
            }
        }
        AwsClients clients = new AwsClients(new Env(awsEnvironment()));
        sqs = remember(clients.sqs());
        createQueues();
        createTables(clients);
        Consumer<Map<String, Object>> emf = line -> { };
        if (metrics) {
            LocalCloudWatch cloudWatch = remember(new LocalCloudWatch(CloudWatchJson.of(clients, Clock.systemUTC()), options.console()));
            emf = cloudWatch::accept;
        }
        console = new LocalConsole(options.console(), options.logFormat(), emf, ZoneId.systemDefault());
        if (moto.isPresent() || external.isPresent()) {
            createScheduleGroups(clients, options);
            createEventBus(clients);
        }
        if (options.demo()) {
            demo = Optional.of(remember(new DemoProvider(HOST, options.demoPort(), console::say)));
        }
        if (metrics || options.targetsInSsm()) {
            putTargetsDocument(clients, options);
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
            Object handler = options.handlers().create(handlerClass, new Env(environment(id, properties, intrinsics, options)), console.logsOf(id));
            handlers.put(id, handler);
            Map<String, Object> events = asMap(properties.getOrDefault("Events", Map.of()));
            for (Object e : events.values()) {
                Map<String, Object> event = asMap(e);
                Map<String, Object> p = asMap(intrinsics.resolve(event.getOrDefault("Properties", Map.of())));
                switch (String.valueOf(event.get("Type"))) {
                    case "HttpApi" -> routes.add(new ApiGateway.Route(String.valueOf(p.get("Method")).toUpperCase(),
                            String.valueOf(p.get("Path")), apiHandler(handler), id, timeout, memory));
                    case "SQS" -> {
                        // each poller stands for one execution environment: its own handler, as concurrent Lambda invocations have
                        Env env = new Env(environment(id, properties, intrinsics, options));
                        Object first = handler;
                        java.util.concurrent.atomic.AtomicBoolean firstTaken = new java.util.concurrent.atomic.AtomicBoolean();
                        java.util.function.Supplier<RequestHandler<SQSEvent, SQSBatchResponse>> environments = () -> sqsHandler(
                                firstTaken.compareAndSet(false, true) ? first : create(options, handlerClass, env, id));
                        pollers.add(() -> remember(new EventSourcePoller(sqs, source(id, p, timeout, memory), environments, console::say)));
                    }
                    default -> throw new IllegalArgumentException("event type " + event.get("Type") + " of " + id + " is not run locally");
                }
            }
        }
        routes.addAll(apiGatewayRoutes(intrinsics, handlers));
        Optional<AccessLogFormat> accessLog = accessLogFormat(intrinsics);
        api = remember(new ApiGateway(HOST, options.apiPort(), routes, context -> console.request(accessLog.map(f -> f.render(context)), context)));
        pollers.forEach(Runnable::run);
    }

    /** The access log format of the template's API stage, as API Gateway would fill it in. */
    private Optional<AccessLogFormat> accessLogFormat(Intrinsics intrinsics) {
        return template.resources("AWS::ApiGatewayV2::Stage").keySet().stream()
                .flatMap(id -> Optional.ofNullable(asMap(template.properties(id).get("AccessLogSettings")).get("Format")).stream())
                .map(f -> new AccessLogFormat(intrinsics.text(f)))
                .findFirst();
    }

    /**
     * The targets document where a deployment keeps it, the SSM parameter the template names, so the
     * console and the operator CLI read it locally as on AWS. The functions take it inline (ERRAND_TARGETS),
     * or with --targets-in-ssm from there, as deployed functions do.
     */
    private void putTargetsDocument(AwsClients clients, Options options) {
        String name = template.parameter(TARGETS_PARAMETER);
        String document = options.targets().orElseGet(this::demoTargets);
        try (SsmClient ssm = clients.ssm()) {
            ssm.putParameter(b -> b.name(name).value(document).type(ParameterType.STRING).overwrite(true));
        }
        if (options.targetsInSsm()) {
            options.console().accept("The targets document is in SSM as " + name + " (moto on " + motoEndpoint().map(URI::toString).orElse("?")
                    + "); the functions read it from there, again every " + template.parameter("TargetsRefreshSeconds") + " s.");
        }
    }

    private Object create(Options options, String handlerClass, Env env, String functionId) {
        try {
            return options.handlers().create(handlerClass, env, console.logsOf(functionId));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("could not make another " + handlerClass + ": " + e, e);
        }
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
        if (withoutMoto) {
            return;
        }
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
        if (withoutMoto) {
            env.remove(Env.TARGET_STATE_TABLE);
        }
        if (moto.isEmpty() && external.isEmpty()) {
            // no stand-in for the scheduler or EventBridge without moto: jobs due later than the queue's delay are refused
            env.remove(Env.SCHEDULE_GROUP);
            env.remove(Env.EVENT_BUS);
        }
        env.putAll(awsEnvironment());
        env.put("AWS_LAMBDA_FUNCTION_NAME", functionId);
        if (!options.targetsInSsm()) {
            env.put(Env.TARGETS, options.targets().orElseGet(this::demoTargets));
        }
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
            if (withoutMoto && template.resources("AWS::DynamoDB::Table").containsKey(logicalId)) {
                return Optional.of(logicalId); // not created: the variable naming it is left out of the functions' environment
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
