package io.ifpin.rules;

/**
 * A single rule value (a CIDR, host pattern, port range, interface name) is invalid.
 *
 * <p>Carries the problem and the fix separately so the config loader can put them into its
 * {@code <file>:<line>: <key path> = <value>: <problem>. Fix: <fix>.} message without parsing text.
 */
public final class InvalidValueException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String problem;
    private final String fix;

    public InvalidValueException(String problem, String fix) {
        super(problem + ". Fix: " + fix);
        this.problem = problem;
        this.fix = fix;
    }

    /** What is wrong, without a trailing period, e.g. {@code host bits are set}. */
    public String problem() {
        return problem;
    }

    /** How to correct it, without the "Fix:" prefix, e.g. {@code use the network address "192.0.2.0/24"}. */
    public String fix() {
        return fix;
    }
}
