package dev.errand.bench;

import dev.errand.core.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts child JVMs (each benchmark runs in a fresh one) and collects the {@code RESULT {json}} lines they print.
 * {@code environment} is given to every child (JAVA_TOOL_OPTIONS with the world's trust store, as a user passes a
 * private CA).
 */
public record Jvm(Path java, String classPath, Path logs, Map<String, String> environment) {

    public Jvm {
        environment = Map.copyOf(environment);
    }

    /** No single child may run longer: the slowest, a sequential 1,000-record batch at 200 ms, takes under 4 minutes. */
    static final long CHILD_TIMEOUT_MINUTES = 10;
    static final String RESULT = "RESULT ";

    /** The JVM and class path this process runs on. */
    public static Jvm current(Path logs) {
        return new Jvm(Path.of(ProcessHandle.current().info().command().orElse("java")), System.getProperty("java.class.path"), logs,
                Map.of());
    }

    /** The same, every child also getting {@code more} in its environment. */
    public Jvm withEnvironment(Map<String, String> more) {
        Map<String, String> all = new java.util.HashMap<>(environment);
        all.putAll(more);
        return new Jvm(java, classPath, logs, all);
    }

    public List<String> command(List<String> jvmFlags, String mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(jvmFlags);
        command.add("-cp");
        command.add(classPath);
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    /** Runs a child to its end; answers its results, or throws with the log's name when it fails. */
    public List<Map<String, Object>> results(String name, List<String> command) {
        return results(name, command, Map.of());
    }

    public List<Map<String, Object>> results(String name, List<String> command, Map<String, String> env) {
        Path log = logs.resolve(name.replaceAll("[^A-Za-z0-9_.=-]", "_") + ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(log.toFile());
            builder.environment().putAll(environment);
            builder.environment().putAll(env);
            Process p = builder.start();
            List<Map<String, Object>> results = new ArrayList<>();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith(RESULT)) {
                        results.add(parse(line.substring(RESULT.length())));
                    }
                }
            }
            if (!p.waitFor(CHILD_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException(name + " did not finish; see " + log);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(name + " exited with " + p.exitValue() + "; see " + log);
            }
            return results;
        } catch (IOException e) {
            throw new IllegalStateException(name + " could not run: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name + " was interrupted", e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parse(String json) {
        return switch (Json.parse(json)) {
            case Json.Parsed.Value v -> (Map<String, Object>) v.value();
            case Json.Parsed.Malformed m -> throw new IllegalStateException("a child printed a bad result: " + m.detail());
        };
    }
}
