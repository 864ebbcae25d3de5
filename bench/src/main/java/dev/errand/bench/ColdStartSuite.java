package dev.errand.bench;

import dev.errand.aws.Env;
import dev.errand.bench.batch.Control;
import dev.errand.bench.batch.Prepared;
import dev.errand.local.template.Template;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cold start of each function jar template.yaml deploys: a fresh JVM per run, class path = the jar and the
 * small driver jar, serving the function's sample event from events/ against the world's SQS and provider.
 * Each JVM option set runs several times; the median counts. Also the SDK's share: one SQS call from a fresh
 * JVM on each SDK HTTP client.
 */
final class ColdStartSuite {

    /** A set of JVM options to try; {@code aot} marks the ones that need a training run first. */
    record Variant(String name, List<String> flags, boolean aot) {
        Variant {
            flags = List.copyOf(flags);
        }
    }

    static final List<Variant> VARIANTS = List.of(
            new Variant("default JVM", List.of(), false),
            new Variant("-Xshare:off (no class data sharing)", List.of("-Xshare:off"), false),
            new Variant("-XX:TieredStopAtLevel=1", List.of("-XX:TieredStopAtLevel=1"), false),
            new Variant("-XX:TieredStopAtLevel=1 -XX:+UseSerialGC", List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"), false),
            new Variant("AOT cache (-XX:AOTCache)", List.of(), true),
            new Variant("AOT cache + TieredStopAtLevel=1", List.of("-XX:TieredStopAtLevel=1"), true));

    static final Path DRIVER_JAR = Path.of("bench/target/errand-bench-coldstart.jar");
    static final String DRIVER = "dev.errand.bench.coldstart.ColdStart";
    /** Warm invocations after the first, for the warm duration the cost model uses. */
    static final int WARM_INVOCATIONS = 30;

    private final Jvm jvm;
    private final WorldProcess world;
    private final int runs;
    private final Path aotDir;

    ColdStartSuite(Jvm jvm, WorldProcess world, int runs, Path out) throws IOException {
        this.jvm = jvm;
        this.world = world;
        this.runs = runs;
        this.aotDir = Files.createDirectories(out.resolve("aot"));
    }

    /** One function to start: its name, jar, handler class and sample event. */
    record Function(String name, Path jar, String handler, Path event) {}

    /**
     * One function per jar, the first the template declares with it: the issue asks for each jar, and the
     * others in a jar (JobStatusFunction beside SubmitJobFunction) load the same classes and need a table.
     */
    static List<Function> functions(Path template) {
        Template t = Template.read(template, Map.of());
        Map<Path, Function> byJar = new LinkedHashMap<>();
        t.resources("AWS::Serverless::Function").keySet().forEach(id -> {
            Map<String, Object> p = t.properties(id);
            Path jar = Path.of(String.valueOf(p.get("CodeUri")));
            String base = jar.getFileName().toString().replace(".jar", "");
            byJar.putIfAbsent(jar, new Function(id, jar, String.valueOf(p.get("Handler")).split("::")[0], Path.of("events", base + ".json")));
        });
        return List.copyOf(byJar.values());
    }

    List<Map<String, Object>> run() throws IOException {
        Prepared queues = Prepared.fetch(new Control(world.control()), "coldstart", 0, List.of("/status/200"));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "bench");
        env.put("AWS_SECRET_ACCESS_KEY", "bench");
        env.put("AWS_ENDPOINT_URL_SQS", world.sqs().toString());
        env.put(Env.JOBS_QUEUE_URL, queues.jobsQueueUrl());
        env.put(Env.DEAD_LETTER_QUEUE_URL, queues.deadLetterQueueUrl());
        env.put(Env.TARGETS, "{\"targets\":{\"demo\":{\"baseUrl\":\"" + world.provider() + "\",\"allowInsecure\":true}}}");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Function f : functions(Path.of("template.yaml"))) {
            String classPath = f.jar() + java.io.File.pathSeparator + DRIVER_JAR;
            Path aot = aotDir.resolve(f.name() + ".aot");
            Files.deleteIfExists(aot);
            System.err.println("  " + f.name() + ": AOT training run");
            start(f, classPath, List.of("-XX:AOTCacheOutput=" + aot), env, "aot-training");
            start(f, classPath, List.of(), env, "discarded");
            for (Variant v : VARIANTS) {
                System.err.println("  " + f.name() + ": " + v.name());
                List<String> flags = new ArrayList<>(v.flags());
                if (v.aot()) {
                    flags.add("-XX:AOTMode=on");
                    flags.add("-XX:AOTCache=" + aot);
                }
                List<Map<String, Object>> samples = new ArrayList<>();
                for (int i = 0; i < runs; i++) {
                    samples.add(start(f, classPath, flags, env, v.name() + "-" + i));
                }
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("function", f.name());
                row.put("jarMb", Files.size(f.jar()) / (1024.0 * 1024.0));
                row.put("variant", v.name());
                row.put("runs", runs);
                for (String field : List.of("totalMs", "toMainMs", "eventMs", "initMs", "firstInvokeMs", "warmMedianMs")) {
                    row.put(field, Summary.median(samples, field));
                }
                row.put("totalMsMin", samples.stream().mapToDouble(s -> Summary.number(s, "totalMs")).min().orElse(0));
                row.put("totalMsMax", samples.stream().mapToDouble(s -> Summary.number(s, "totalMs")).max().orElse(0));
                rows.add(row);
            }
        }
        return rows;
    }

    /** One fresh JVM; times are counted from just before it was launched. */
    private Map<String, Object> start(Function f, String classPath, List<String> flags, Map<String, String> env, String label) {
        List<String> command = new ArrayList<>();
        command.add(jvm.java().toString());
        command.addAll(flags);
        command.add("-cp");
        command.add(classPath);
        command.add(DRIVER);
        command.add(f.handler());
        command.add(f.event().toString());
        command.add(String.valueOf(WARM_INVOCATIONS));
        long launchedAt = System.currentTimeMillis();
        List<Map<String, Object>> results = jvm.results("cold-" + f.name() + "-" + label, command, env);
        if (results.isEmpty()) {
            throw new IllegalStateException(f.name() + " printed no result (" + label + ")");
        }
        Map<String, Object> r = new LinkedHashMap<>(results.getFirst());
        double main = Summary.number(r, "mainAt");
        double event = Summary.number(r, "eventAt");
        double init = Summary.number(r, "initAt");
        double first = Summary.number(r, "firstAt");
        r.put("toMainMs", main - launchedAt);
        r.put("eventMs", event - main);
        r.put("initMs", init - event);
        r.put("firstInvokeMs", first - init);
        r.put("totalMs", first - launchedAt);
        return r;
    }

    /** The SDK's own cold start: build an SQS client on each HTTP client and make one call, fresh JVM each. */
    List<Map<String, Object>> sdkClients(Path processJobsJar, List<Path> crtJars) throws IOException {
        Prepared queues = Prepared.fetch(new Control(world.control()), "coldstart", 0, List.of("/status/200"));
        List<Map<String, Object>> rows = new ArrayList<>();
        List<String> cp = new ArrayList<>(List.of(processJobsJar.toString(), DRIVER_JAR.toString()));
        crtJars.forEach(j -> cp.add(j.toString()));
        for (String client : List.of("url-connection", "crt")) {
            for (List<String> flags : List.of(List.<String>of(), List.of("-XX:TieredStopAtLevel=1"))) {
                List<Map<String, Object>> samples = new ArrayList<>();
                for (int i = 0; i < runs; i++) {
                    List<String> command = new ArrayList<>();
                    command.add(jvm.java().toString());
                    command.addAll(flags);
                    command.addAll(List.of("-cp", String.join(java.io.File.pathSeparator, cp), "dev.errand.bench.coldstart.FirstSqsCall",
                            client, world.sqs().toString(), queues.jobsQueueUrl()));
                    long launchedAt = System.currentTimeMillis();
                    Map<String, Object> r = new LinkedHashMap<>(jvm.results("sdk-" + client + "-" + i, command).getFirst());
                    r.put("toMainMs", Summary.number(r, "mainAt") - launchedAt);
                    r.put("buildMs", Summary.number(r, "builtAt") - Summary.number(r, "mainAt"));
                    r.put("firstCallMs", Summary.number(r, "calledAt") - Summary.number(r, "builtAt"));
                    r.put("totalMs", Summary.number(r, "calledAt") - launchedAt);
                    samples.add(r);
                }
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("client", client);
                row.put("flags", flags.isEmpty() ? "default" : String.join(" ", flags));
                for (String field : List.of("totalMs", "toMainMs", "buildMs", "firstCallMs")) {
                    row.put(field, Summary.median(samples, field));
                }
                rows.add(row);
            }
        }
        return rows;
    }
}
