package dev.errand.local.logs;

import dev.errand.core.json.Json;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An API Gateway access log format (the stage's AccessLogSettings.Format in template.yaml) filled in as API
 * Gateway fills it: each {@code $context.name} replaced by its value, and by "-" when there is none
 * (locally: the IAM caller, as the local API does not check signatures).
 */
public final class AccessLogFormat {

    private static final Pattern VARIABLE = Pattern.compile("\\$context\\.([A-Za-z0-9_.]+[A-Za-z0-9_])");

    private final String format;

    public AccessLogFormat(String format) {
        this.format = format;
    }

    public String render(Map<String, String> context) {
        Matcher m = VARIABLE.matcher(format);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = context.getOrDefault(m.group(1), "-");
            m.appendReplacement(out, Matcher.quoteReplacement(escaped(value)));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The value as it goes inside the format's quotes: a JSON string's content. */
    private static String escaped(String value) {
        String quoted = Json.write(value);
        return quoted.substring(1, quoted.length() - 1);
    }
}
