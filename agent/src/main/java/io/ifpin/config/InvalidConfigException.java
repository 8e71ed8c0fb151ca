package io.ifpin.config;

import java.util.List;

/**
 * The config cannot be used. The message is for operators, and lists every problem found:
 *
 * <pre>
 * invalid ifpin config /etc/ifpin.conf: 2 problems
 * /etc/ifpin.conf:7: ifpin.rules[1].cidrs[0] = "192.0.2.1/24": host bits are set. Fix: use the network address "192.0.2.0/24".
 * /etc/ifpin.conf:9: ifpin.rules[1].interfce: unknown key. Fix: did you mean `interface`?
 * </pre>
 *
 * Reporting all problems at once spares an operator one restart per mistake.
 */
public final class InvalidConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final List<String> problems;

    /** @param problems one line each, {@code <file>[:<line>]: <what>. Fix: <how>.}; not empty */
    public InvalidConfigException(String source, List<String> problems) {
        super(summary(source, problems));
        this.source = source;
        this.problems = List.copyOf(problems);
    }

    /** The config file (or origin name) that was rejected. */
    public String source() {
        return source;
    }

    /** The problem lines of the message, without the summary line. */
    public List<String> problems() {
        return problems;
    }

    private static String summary(String source, List<String> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an invalid config needs at least one problem");
        }
        int count = problems.size();
        return "invalid ifpin config " + Problems.escape(source) + ": " + count + (count == 1 ? " problem" : " problems")
                + "\n" + String.join("\n", problems);
    }
}
