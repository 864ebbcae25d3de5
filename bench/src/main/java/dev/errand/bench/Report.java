package dev.errand.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** The tables (and the chart) made from summarised rows. */
final class Report {

    private Report() {}

    static Optional<Map<String, Object>> find(List<Map<String, Object>> rows, Map<String, String> match) {
        return rows.stream().filter(r -> match.entrySet().stream()
                .allMatch(e -> Objects.equals(String.valueOf(r.get(e.getKey())), e.getValue()))).findFirst();
    }

    static Map<String, String> key(String driver, String client, int maxInFlight, int size, int latency, String mix, String limits, String flags) {
        return Map.of("driver", driver, "client", client, "maxInFlight", String.valueOf(maxInFlight), "size", String.valueOf(size),
                "latency", String.valueOf(latency), "mix", mix, "limits", limits, "jvmFlags", flags);
    }

    static final String FLAGS = String.join(" ", BatchSuite.CONSUMER_FLAGS);

    static String batchTable(List<Map<String, Object>> rows, BatchSuite.Plan plan) {
        Table t = new Table("L ms", "records", "consumer", "batch", "wall ms", "ideal ms", "efficiency", "records/s",
                "CPU ms/record", "peak heap MB", "provider peak in flight", "provider CPU (cores)", "load avg");
        for (int latency : plan.latencies()) {
            for (int size : plan.sizes()) {
                for (int inFlight : List.of(1000, 1)) {
                    String mode = inFlight == 1 ? "sequential" : "concurrent";
                    find(rows, key("handler", "jdk", inFlight, size, latency, "ok", "tuned", FLAGS)).ifPresent(r -> {
                        for (String phase : List.of("first", "warm")) {
                            if (r.containsKey(phase + "WallMs")) {
                                t.row(latency, size, mode, phase, d(r, phase + "WallMs"), (double) latency, d(r, phase + "Efficiency"),
                                        d(r, phase + "RecordsPerSecond"), d(r, phase + "CpuMsPerRecord"), d(r, phase + "PeakHeapMb"),
                                        (int) d(r, phase + "ProviderPeakInFlight"), d(r, phase + "ProviderCores"), d(r, phase + "LoadAverage"));
                            }
                        }
                    });
                }
            }
        }
        return t.toString();
    }

    /** Sequential wall time over concurrent wall time, warm where both have a warm batch, else first batches. */
    static String speedUpTable(List<Map<String, Object>> rows, BatchSuite.Plan plan) {
        Table t = new Table("L ms", "records", "sequential wall ms", "concurrent wall ms", "speed-up", "compared");
        for (int latency : plan.latencies()) {
            for (int size : plan.sizes()) {
                var c = find(rows, key("handler", "jdk", 1000, size, latency, "ok", "tuned", FLAGS));
                var s = find(rows, key("handler", "jdk", 1, size, latency, "ok", "tuned", FLAGS));
                if (c.isPresent() && s.isPresent()) {
                    String phase = s.get().containsKey("warmWallMs") ? "warm" : "first";
                    double sw = d(s.get(), phase + "WallMs");
                    double cw = d(c.get(), phase + "WallMs");
                    t.row(latency, size, sw, cw, sw / cw, phase + " batches");
                }
            }
        }
        return t.toString();
    }

    static String variantsTable(List<Map<String, Object>> rows, BatchSuite.Plan plan) {
        int size = plan.sizes().getLast();
        int latency = plan.latencies().getLast();
        Table t = new Table("variant", "records", "L ms", "warm wall ms", "efficiency", "CPU ms/record", "peak heap MB",
                "provider peak in flight", "failures reported (expected)");
        List<Object[]> variants = List.of(
                new Object[] {"all 200, tuned limits (reference)", key("handler", "jdk", 1000, size, latency, "ok", "tuned", FLAGS)},
                new Object[] {"failure mix: 20% 503, 10% 400", key("handler", "jdk", 1000, size, latency, "failures", "tuned", FLAGS)},
                new Object[] {"target defaults (50 in flight, breaker 5)", key("handler", "jdk", 1000, size, latency, "ok", "defaults", FLAGS)},
                new Object[] {"-XX:TieredStopAtLevel=1 (C1 only)", key("handler", "jdk", 1000, size, latency, "ok", "tuned",
                        String.join(" ", BatchSuite.C1_ONLY))});
        for (Object[] v : variants) {
            @SuppressWarnings("unchecked")
            Map<String, String> k = (Map<String, String>) v[1];
            find(rows, k).ifPresent(r -> t.row(v[0], size, latency, d(r, "warmWallMs"), d(r, "warmEfficiency"),
                    d(r, "warmCpuMsPerRecord"), d(r, "warmPeakHeapMb"), (int) d(r, "warmProviderPeakInFlight"), r.get("allAsExpected").equals(true) ? "as expected" : "MISMATCH")
            );
        }
        return t.toString();
    }

    static String clientsTable(List<Map<String, Object>> rows, BatchSuite.Plan plan) {
        Table t = new Table("client", "L ms", "records", "first wall ms", "warm wall ms", "warm efficiency", "warm CPU ms/record",
                "warm peak heap MB", "provider peak in flight", "vs JDK (warm wall)", "load avg", "not delivered (worst batch)");
        for (int latency : plan.latencies()) {
            for (int size : plan.clientSizes()) {
                var jdk = find(rows, key("delivery", "jdk", 1000, size, latency, "ok", "tuned", FLAGS));
                for (String client : dev.errand.bench.callers.Callers.NAMES) {
                    find(rows, key("delivery", client, 1000, size, latency, "ok", "tuned", FLAGS)).ifPresent(r -> t.row(client, latency, size,
                            d(r, "firstWallMs"), d(r, "warmWallMs"), d(r, "warmEfficiency"), d(r, "warmCpuMsPerRecord"),
                            d(r, "warmPeakHeapMb"), (int) d(r, "warmProviderPeakInFlight"),
                            jdk.map(j -> d(j, "warmWallMs") / d(r, "warmWallMs")).orElse(Double.NaN), d(r, "warmLoadAverage"),
                            (int) d(r, "mostUnexpectedFailures")));
                }
            }
        }
        return t.toString();
    }

    /** Why a client lost records: one example per configuration that lost any. */
    static String lossesTable(List<Map<String, Object>> rows) {
        Table t = new Table("client", "L ms", "records", "not delivered (worst batch)", "outcome of one record not delivered");
        rows.stream().filter(r -> d(r, "mostUnexpectedFailures") > 0).forEach(r -> t.row(r.get("client"), r.get("latency"), r.get("size"),
                (int) d(r, "mostUnexpectedFailures"), String.valueOf(r.get("failureExample")).replace("|", "/")));
        return t.isEmpty() ? "No client lost a record.\n" : t.toString();
    }

    /** Per HTTP version and caller: the fresh JVM's first batch of the largest size, then each size warm. */
    static String tlsTable(List<Map<String, Object>> rows, TlsSuite.Plan plan) {
        Table t = new Table("HTTP", "handshake bound", "batch", "records", "failed", "wall ms", "efficiency", "CPU ms/call",
                "connections opened", "provider peak in flight", "load avg");
        int largest = plan.sizes().getLast();
        for (String version : TlsSuite.VERSIONS) {
            for (String caller : TlsSuite.CALLERS) {
                String http = version.equals("1.1") ? "1.1" : "2 (ALPN)";
                String bound = caller.equals("jdk") ? "yes" : "no (JDK client alone)";
                Map<String, String> largestKey = tlsKey(caller, largest, plan.latency(), version);
                find(rows, largestKey).ifPresent(r -> tlsRow(t, http, bound, "first (fresh JVM)", largest, "first", r));
                for (int size : plan.sizes()) {
                    find(rows, tlsKey(caller, size, plan.latency(), version)).ifPresent(r -> tlsRow(t, http, bound, "warm", size, "warm", r));
                }
            }
        }
        return t.toString();
    }

    private static Map<String, String> tlsKey(String caller, int size, int latency, String version) {
        Map<String, String> key = new java.util.HashMap<>(key("delivery", caller, 1000, size, latency, "ok", "tuned", FLAGS));
        key.put("httpVersion", version);
        key.put("suite", "tls");
        return key;
    }

    private static void tlsRow(Table t, String http, String bound, String batch, int size, String phase, Map<String, Object> r) {
        if (r.containsKey(phase + "WallMs")) {
            t.row(http, bound, batch, size, (int) d(r, phase + "FailedMost"), d(r, phase + "WallMs"), d(r, phase + "Efficiency"),
                    d(r, phase + "CpuMsPerRecord"), (int) d(r, phase + "ConnectionsOpened"), (int) d(r, phase + "ProviderPeakInFlight"),
                    d(r, phase + "LoadAverage"));
        }
    }

    static String chart(List<Map<String, Object>> rows, BatchSuite.Plan plan) {
        List<Chart.Series> series = new ArrayList<>();
        for (int latency : plan.latencies()) {
            for (int inFlight : List.of(1000, 1)) {
                List<double[]> points = new ArrayList<>();
                for (int size : plan.sizes()) {
                    find(rows, key("handler", "jdk", inFlight, size, latency, "ok", "tuned", FLAGS)).ifPresent(r ->
                            points.add(new double[] {size, d(r, r.containsKey("warmWallMs") ? "warmWallMs" : "firstWallMs")}));
                }
                series.add(new Chart.Series((inFlight == 1 ? "sequential" : "concurrent") + ", L = " + latency + " ms",
                        Chart.colours().getOrDefault(String.valueOf(latency), "#555"), inFlight == 1 ? "6 4" : "none", points));
            }
        }
        return Chart.svg("Errand consumer: batch wall time, concurrent vs sequential (warm)", series);
    }

    static double d(Map<String, Object> r, String field) {
        return Summary.number(r, field);
    }

    static String coldTable(List<Map<String, Object>> rows) {
        Table t = new Table("function", "jar MB", "JVM options", "total ms (median)", "min-max ms", "JVM to main", "read event",
                "init (constructor)", "first invoke", "warm invoke ms");
        for (Map<String, Object> r : rows) {
            t.row(r.get("function"), d(r, "jarMb"), r.get("variant"), d(r, "totalMs"),
                    Table.format(d(r, "totalMsMin")) + "-" + Table.format(d(r, "totalMsMax")), d(r, "toMainMs"), d(r, "eventMs"),
                    d(r, "initMs"), d(r, "firstInvokeMs"), d(r, "warmMedianMs"));
        }
        return t.toString();
    }

    static String sdkTable(List<Map<String, Object>> rows) {
        Table t = new Table("SDK HTTP client", "JVM options", "JVM start to first SQS answer ms", "JVM to main", "build client", "first call");
        for (Map<String, Object> r : rows) {
            t.row(r.get("client"), r.get("flags"), d(r, "totalMs"), d(r, "toMainMs"), d(r, "buildMs"), d(r, "firstCallMs"));
        }
        return t.toString();
    }
}
