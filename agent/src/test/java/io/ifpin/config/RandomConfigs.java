package io.ifpin.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random ifpin configs in every way the fast parser's subset allows them to be written (separators, comments, dotted
 * keys, quoting, the root's form), mostly valid, and random edits of any text: inputs for
 * {@link FastHoconParserDifferentialTest}.
 */
final class RandomConfigs {
    private static final String[] TOKENS = {"include \"x.conf\"", "${x}", "${?HOME}", "+=", "\"\"\"", "\t", "\u00a0",
            "\ufeff", "true", "nullable", "1.5", "10s", "8000-8099", "-", "0x1", "007", "//", "#", ",", ",,", "\n", "{",
            "}", "[", "]", "=", ":", ".", "\\", "\"", "\u0001", "\r", " ", "a b", "\"a\" \"b\"", "{ }", "[ ]",
            "name = \"x\"", "ifpin", "rules", "99999999999999999999", "\\u0041", "\\q", "/", "*", "$", "?", "'"};

    private RandomConfigs() {
    }

    /** A config with {@code rules} rules; rarely with a problem in it, so that both outcomes are compared. */
    static String config(Random random, int rules) {
        return config(random, rules, true);
    }

    /** @param problems whether a rule may have a problem */
    static String config(Random random, int rules, boolean problems) {
        Writer out = new Writer(random);
        int rootForm = random.nextInt(6);
        boolean braced = rootForm == 1;
        if (random.nextInt(4) == 0) {
            out.line("# generated");
        }
        if (braced) {
            out.line("{");
        }
        String ifpinKey = rootForm == 2 ? "\"ifpin\"" : "ifpin";
        if (rootForm == 3) {
            // A dotted key at the root (only one: a second ifpin.x would be merged, which the subset leaves out).
            out.raw("ifpin.rules = ");
            rules(out, random, rules, problems);
            out.line("");
        } else {
            out.line(ifpinKey + (random.nextBoolean() ? " {" : random.nextBoolean() ? " = {" : ": {"));
            settings(out, random);
            out.raw("  rules " + pick(random, "=", ":", "= ") + " ");
            rules(out, random, rules, problems);
            out.line("");
            if (random.nextInt(3) == 0) {
                out.line("  // trailing comment");
            }
            out.line("}");
        }
        if (braced) {
            out.line("}");
        }
        return out.toString();
    }

    private static void settings(Writer out, Random random) {
        if (random.nextInt(3) == 0) {
            out.field("  on-error", pick(random, "fail-open", "fail-closed", "\"fail-closed\""));
        }
        int defaults = random.nextInt(8);
        if (defaults == 0) {
            out.field("  default-action", "deny");
        } else if (defaults == 1) {
            out.field("  default-action", "pin");
            out.field("  default-interface", pick(random, "\"eth1\"", "eth1"));
        }
        if (random.nextInt(4) == 0) {
            out.field("  reload-interval", pick(random, "10s", "\"5s\"", "off", "500ms", "2m"));
        }
        int log = random.nextInt(5);
        if (log == 0) {
            out.line("  log {");
            out.field("    level", pick(random, "info", "debug", "warn", "error", "\"info\""));
            if (random.nextBoolean()) {
                out.field("    file", pick(random, "null", "\"/var/log/ifpin.log\"", "/var/log/ifpin.log"));
            }
            out.line("  }");
        } else if (log == 1) {
            out.field("  log.level", pick(random, "info", "debug"));
        }
        int audit = random.nextInt(5);
        if (audit == 0) {
            out.line("  audit " + pick(random, "{", "= {", ": {"));
            out.field("    file", "\"/var/log/ifpin/audit.jsonl\"");
            if (random.nextBoolean()) {
                out.field("    max-size", pick(random, "50M", "10M", "\"1G\"", "1048576"));
            }
            if (random.nextBoolean()) {
                out.field("    max-files", String.valueOf(1 + random.nextInt(20)));
            }
            if (random.nextBoolean()) {
                out.field("    queue-size", String.valueOf(1024 << random.nextInt(8)));
            }
            out.line("  }");
        } else if (audit == 1) {
            out.field("  audit.file", "null");
        }
        int metrics = random.nextInt(5);
        if (metrics == 0) {
            out.field("  metrics.jmx", pick(random, "true", "false"));
        } else if (metrics == 1) {
            out.line("  metrics { jmx = " + pick(random, "true", "false") + " }");
        }
    }

    private static void rules(Writer out, Random random, int count, boolean problems) {
        out.raw("[");
        boolean oneLine = count > 0 && random.nextInt(5) == 0;
        for (int i = 0; i < count; i++) {
            if (!oneLine) {
                out.line("");
                out.raw("    ");
                if (random.nextInt(10) == 0) {
                    out.line("# rule " + i);
                    out.raw("    ");
                }
            } else if (i > 0) {
                out.raw(", ");
            }
            rule(out, random, i, problems);
            if (!oneLine && random.nextBoolean()) {
                out.raw(",");
            }
        }
        if (!oneLine) {
            out.line("");
            out.raw("  ");
        }
        out.raw("]");
    }

    private static void rule(Writer out, Random random, int index, boolean problems) {
        List<String> fields = new ArrayList<>();
        if (random.nextInt(5) != 0) {
            fields.add("name = " + (random.nextBoolean() ? "\"rule " + index + "\"" : "r" + index));
        }
        boolean inbound = random.nextInt(12) == 0;
        if (inbound) {
            fields.add("direction = inbound");
            fields.add("ports = [" + (1 + random.nextInt(65535)) + "]");
            if (random.nextBoolean()) {
                fields.add("cidrs = [\"198.51.100.2/32\"]");
            }
            fields.add("interface = " + pick(random, "\"b0\"", "b0", "\"eth1\""));
        } else {
            int match = random.nextInt(3);
            if (match != 1) {
                fields.add("cidrs " + pick(random, "=", ":") + " " + list(random, "\"192.0.2." + (index % 256) + "/32\"",
                        "\"2001:db8:" + Integer.toHexString(index) + "::/48\"", "\"198.51.100.0/24\""));
            }
            if (match != 0) {
                fields.add("hosts = " + list(random, "\"host-" + index + ".corp.example\"", "\"*.zone-" + index + ".example\""));
            }
            if (random.nextInt(3) == 0) {
                fields.add("ports = " + list(random, "443", "\"8000-8099\"", String.valueOf(1 + random.nextInt(65535))));
            }
            if (random.nextInt(4) == 0) {
                fields.add("protocols = " + list(random, "tcp", "udp", "\"tcp\""));
            }
            if (random.nextInt(6) == 0) {
                fields.add("callers = [\"com.vendor.legacy.*\"]");
            }
            int action = random.nextInt(6);
            if (action == 0) {
                fields.add("action = " + pick(random, "allow", "deny"));
            } else {
                if (action == 1) {
                    fields.add("action = pin");
                }
                fields.add("interface = " + pick(random, "\"b0\"", "b0", "\"eth1\"", "\"tun0\""));
            }
            if (random.nextInt(5) == 0) {
                fields.add("on-error = " + pick(random, "fail-open", "fail-closed"));
            }
        }
        if (problems && random.nextInt(40) == 0) {
            // Sometimes a problem: the loader must fall back and give the full parse's message.
            String problem = pick(random, "interfce = \"b0\"", "ports = [0]", "cidrs = [\"192.0.2.1/24\"]",
                    "name = \"\"", "name = \"a\\u0001b\"");
            String key = problem.substring(0, problem.indexOf(' ') + 1);
            fields.removeIf(field -> field.startsWith(key)); // a key given twice is outside the subset
            fields.add(problem);
        }
        java.util.Collections.shuffle(fields, random);
        boolean multiLine = random.nextInt(4) == 0;
        out.raw("{ ");
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                if (multiLine) {
                    out.raw(random.nextBoolean() ? "\n      " : ",\n      ");
                } else {
                    out.raw(", ");
                }
            }
            out.raw(fields.get(i));
            if (multiLine && i < fields.size() - 1 && random.nextInt(5) == 0) {
                out.raw(" # note");
            }
        }
        out.raw(" }");
    }

    private static String list(Random random, String... elements) {
        StringBuilder out = new StringBuilder("[");
        int count = 1 + random.nextInt(elements.length);
        for (int i = 0; i < count; i++) {
            out.append(i == 0 ? "" : random.nextInt(6) == 0 ? " ,  " : ", ").append(elements[i]);
        }
        return out.append(random.nextInt(8) == 0 ? ",]" : "]").toString();
    }

    /** {@code edits} random edits: characters and tokens inserted, deleted or replaced, lines doubled or dropped. */
    static String mutate(Random random, String text, int edits) {
        StringBuilder out = new StringBuilder(text);
        for (int i = 0; i < edits; i++) {
            int at = out.length() == 0 ? 0 : random.nextInt(out.length());
            switch (random.nextInt(7)) {
                case 0 -> {
                    if (out.length() > 0) {
                        out.deleteCharAt(at);
                    }
                }
                case 1 -> out.insert(at, TOKENS[random.nextInt(TOKENS.length)]);
                case 2 -> {
                    if (out.length() > 0) {
                        out.setCharAt(at, randomChar(random));
                    }
                }
                case 6 -> out.insert(at, randomChar(random));
                case 3 -> {
                    int start = out.lastIndexOf("\n", at) + 1;
                    int end = out.indexOf("\n", at);
                    end = end < 0 ? out.length() : end + 1;
                    out.insert(start, out.substring(start, end));
                }
                case 4 -> {
                    int start = out.lastIndexOf("\n", at) + 1;
                    int end = out.indexOf("\n", at);
                    out.delete(start, end < 0 ? out.length() : end + 1);
                }
                default -> out.insert(at, TOKENS[random.nextInt(TOKENS.length)] + " ");
            }
        }
        return out.toString();
    }

    /** Any ASCII character but NUL, or one of a few that are white space to Java or HOCON only. */
    private static char randomChar(Random random) {
        String others = "\u00a0\u2007\u202f\ufeff\u2028\u00e9\u000b\u001c";
        int pick = random.nextInt(126 + others.length());
        return pick < 126 ? (char) (pick + 1) : others.charAt(pick - 126);
    }

    private static String pick(Random random, String... choices) {
        return choices[random.nextInt(choices.length)];
    }

    /** Text with a separator between fields: a new line or, at random, a comma as well. */
    private static final class Writer {
        private final StringBuilder out = new StringBuilder();
        private final Random random;

        Writer(Random random) {
            this.random = random;
        }

        void raw(String text) {
            out.append(text);
        }

        void line(String text) {
            out.append(text).append('\n');
        }

        void field(String key, String value) {
            out.append(key).append(random.nextInt(4) == 0 ? ": " : " = ").append(value);
            int ending = random.nextInt(6);
            out.append(ending == 0 ? ",\n" : ending == 1 ? " # why\n" : ending == 2 ? " // why\n" : "\n");
        }

        @Override
        public String toString() {
            return out.toString();
        }
    }
}
