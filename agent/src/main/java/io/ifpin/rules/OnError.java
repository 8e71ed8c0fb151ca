package io.ifpin.rules;

/**
 * What happens to a socket when pinning it fails (EPERM, ENODEV, an internal error).
 *
 * <p>{@link #FAIL_OPEN} keeps the application working and may let traffic leave by the default route;
 * {@link #FAIL_CLOSED} refuses the socket like a deny rule, so nothing ever leaves by the wrong interface.
 */
public enum OnError {
    FAIL_OPEN("fail-open"),
    FAIL_CLOSED("fail-closed");

    /** The config spellings, for messages. */
    public static final String ALLOWED = "fail-open or fail-closed";

    private final String label;

    OnError(String label) {
        this.label = label;
    }

    /** Parses {@code fail-open} / {@code fail-closed}, case-insensitively. */
    public static OnError parse(String text) {
        for (OnError onError : values()) {
            if (onError.label.equalsIgnoreCase(text)) {
                return onError;
            }
        }
        throw new InvalidValueException("unknown on-error mode", "use one of " + ALLOWED);
    }

    /** The config spelling, e.g. {@code fail-closed}. */
    public String label() {
        return label;
    }
}
