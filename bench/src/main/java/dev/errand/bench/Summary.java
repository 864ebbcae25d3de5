package dev.errand.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Batch results folded into one row per configuration: the fresh JVM's first batch, and the median of the
 * measured warm batches (heap: the largest), with the derived figures the tables print.
 */
public final class Summary {

    /** Fields a child measures; every other field names the configuration. */
    static final Set<String> MEASURED = Set.of("phase", "wallMs", "cpuMs", "gcMs", "peakHeapMb", "failed", "expectedFailed",
            "providerCpuMs", "providerServed", "providerPeakInFlight", "loadAverage", "failureExample", "connectionsOpened");

    private Summary() {}

    public static List<Map<String, Object>> rows(List<Map<String, Object>> results) {
        Map<Map<String, Object>, List<Map<String, Object>>> byConfig = new LinkedHashMap<>();
        for (Map<String, Object> r : results) {
            Map<String, Object> config = new LinkedHashMap<>(r);
            config.keySet().removeAll(MEASURED);
            byConfig.computeIfAbsent(config, k -> new ArrayList<>()).add(r);
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        byConfig.forEach((config, rs) -> {
            Map<String, Object> row = new LinkedHashMap<>(config);
            int size = Integer.parseInt(String.valueOf(config.get("size")));
            int latency = Integer.parseInt(String.valueOf(config.get("latency")));
            rs.stream().filter(r -> r.get("phase").equals("first")).findFirst()
                    .ifPresent(first -> put(row, "first", List.of(first), size, latency));
            List<Map<String, Object>> warm = rs.stream().filter(r -> r.get("phase").equals("warm")).toList();
            if (!warm.isEmpty()) {
                put(row, "warm", warm, size, latency);
            }
            row.put("allAsExpected", rs.stream().allMatch(r -> number(r, "failed") == number(r, "expectedFailed")));
            // the worst batch's shortfall, and why one of its records was not delivered
            rs.stream().max(java.util.Comparator.comparingDouble(r -> number(r, "failed") - number(r, "expectedFailed")))
                    .ifPresent(worst -> {
                        row.put("mostUnexpectedFailures", number(worst, "failed") - number(worst, "expectedFailed"));
                        row.put("failureExample", String.valueOf(worst.getOrDefault("failureExample", "")));
                    });
            rows.add(row);
        });
        return rows;
    }

    private static void put(Map<String, Object> row, String phase, List<Map<String, Object>> rs, int size, int latency) {
        double wall = median(rs, "wallMs");
        double cpu = median(rs, "cpuMs");
        row.put(phase + "WallMs", wall);
        row.put(phase + "Efficiency", latency / wall);
        row.put(phase + "RecordsPerSecond", size * 1000.0 / wall);
        row.put(phase + "CpuMsPerRecord", cpu / size);
        row.put(phase + "PeakHeapMb", rs.stream().mapToDouble(r -> number(r, "peakHeapMb")).max().orElse(0));
        row.put(phase + "GcMs", median(rs, "gcMs"));
        row.put(phase + "ProviderPeakInFlight", rs.stream().mapToDouble(r -> number(r, "providerPeakInFlight")).min().orElse(0));
        row.put(phase + "ProviderCores", rs.stream().mapToDouble(r -> number(r, "providerCpuMs") / number(r, "wallMs")).max().orElse(0));
        row.put(phase + "Runs", rs.size());
        row.put(phase + "LoadAverage", median(rs, "loadAverage"));
        row.put(phase + "WallMsMin", rs.stream().mapToDouble(r -> number(r, "wallMs")).min().orElse(0));
        row.put(phase + "WallMsMax", rs.stream().mapToDouble(r -> number(r, "wallMs")).max().orElse(0));
        row.put(phase + "FailedMost", rs.stream().mapToDouble(r -> number(r, "failed") - number(r, "expectedFailed")).max().orElse(0));
        row.put(phase + "ConnectionsOpened", rs.stream().mapToDouble(r -> r.containsKey("connectionsOpened") ? number(r, "connectionsOpened") : 0)
                .max().orElse(0));
    }

    static double median(List<Map<String, Object>> rs, String field) {
        List<Double> values = rs.stream().map(r -> number(r, field)).sorted(Comparator.naturalOrder()).toList();
        int n = values.size();
        return n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
    }

    public static double number(Map<String, Object> r, String field) {
        Object v = r.get(field);
        return v instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(v));
    }
}
