package io.ifpin.cli;

import io.ifpin.config.ConfigLoader;
import io.ifpin.config.IfpinConfig;
import io.ifpin.config.InvalidConfigException;
import io.ifpin.learn.Learner;
import io.ifpin.log.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code learn <audit.jsonl>... [--out FILE] [--config FILE] [--json]}: writes the allow-list learned from audit
 * logs ({@link Learner}) to {@code --out} (written whole, then renamed into place) or stdout; the summary and
 * progress go to stderr, or with {@code --json} the summary is one JSON document on stdout (with the config text
 * when there is no {@code --out}). Exit 1 when an input cannot be read or holds no decision.
 */
final class LearnCommand {
    private LearnCommand() {
    }

    static int run(List<String> files, String outFile, String configFile, boolean json, PrintStream out,
                   PrintStream err) {
        IfpinConfig existing = null;
        if (configFile != null) {
            try {
                existing = ConfigLoader.load(Path.of(configFile));
            } catch (InvalidConfigException e) {
                err.println(e.getMessage());
                err.println("ifpin learn: --config " + configFile + " is not a valid config, so its rules cannot be"
                        + " kept. Fix: correct it (java -jar ifpin-agent.jar check " + configFile + "), or leave out"
                        + " --config.");
                return Cli.PROBLEM;
            }
        }
        Learner learner = new Learner(err);
        for (String file : files) {
            try {
                learner.read(Path.of(file));
            } catch (NoSuchFileException e) {
                err.println("ifpin learn: " + file + ": no such file. Fix: give the audit log's path (ifpin.audit.file)"
                        + " and its rotated files, e.g. /var/log/ifpin-audit.jsonl*");
                return Cli.PROBLEM;
            } catch (IOException e) {
                err.println("ifpin learn: cannot read " + file + ": " + e + ". Fix: run as a user that can read it.");
                return Cli.PROBLEM;
            }
        }
        Learner.Learned learned = learner.write(existing);
        if (learner.decisions() == 0) {
            err.println(learned.summaryLine());
            err.println("ifpin learn: no decisions in " + String.join(", ", files) + ", so nothing was written. Fix:"
                    + " run the application with ifpin.audit.file set (in observe mode: ifpin.mode = observe) and"
                    + " give that file.");
            return Cli.PROBLEM;
        }
        if (outFile != null) {
            try {
                Path target = Path.of(outFile);
                Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
                Files.writeString(temporary, learned.config(), StandardCharsets.UTF_8);
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                err.println("ifpin learn: cannot write " + outFile + ": " + e + ". Fix: choose a writable --out.");
                return Cli.PROBLEM;
            }
        }
        if (json) {
            Map<String, Object> document = new LinkedHashMap<>(learned.summary());
            document.put("out", outFile);
            if (outFile == null) {
                document.put("config", learned.config());
            }
            out.println(Json.write(document));
        } else {
            if (outFile == null) {
                out.print(learned.config());
            }
            err.println(learned.summaryLine() + (outFile == null ? "" : "; written to " + outFile + ". Next: java -jar"
                    + " ifpin-agent.jar check " + outFile));
        }
        return Cli.OK;
    }
}
