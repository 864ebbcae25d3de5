package dev.errand.cli.console;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Dead letters grouped by why they died: the reason without the provider's answer, so that a hundred 400s
 * with a hundred different bodies are one group ("HTTP 400"), and "gave up after 12 attempts; last: HTTP 503"
 * another.
 */
final class ReasonGroups {

    /** A group's name is cut here: long enough to tell groups apart, short enough for a heading. */
    static final int MAX_KEY_CHARS = 80;
    /** Everything up to the first HTTP status the reason names. */
    private static final Pattern HTTP_STATUS = Pattern.compile("^(.*?HTTP \\d{3})\\b");
    /** Where a quoted answer starts: a JSON body, a quoted text, markup. */
    private static final Pattern ANSWER = Pattern.compile(": [\\[{\"<]");

    private ReasonGroups() {}

    static String key(String reason) {
        Matcher status = HTTP_STATUS.matcher(reason);
        String key = status.find() ? status.group(1) : cutAtAnswer(reason);
        return key.length() <= MAX_KEY_CHARS ? key : key.substring(0, MAX_KEY_CHARS - 3) + "...";
    }

    private static String cutAtAnswer(String reason) {
        Matcher answer = ANSWER.matcher(reason);
        return answer.find() ? reason.substring(0, answer.start()) : reason;
    }
}
