package io.ifpin.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IfpinAgentTest {

    @TempDir
    Path dir;

    @Test
    void ifpinsOwnCommandLineIsRecognised() throws Exception {
        File jar = Files.createFile(dir.resolve("ifpin-agent.jar")).toFile();
        String path = jar.getPath();
        assertTrue(IfpinAgent.runsOwnCommandLine(path + " check /etc/ifpin.conf", path, jar));
        assertTrue(IfpinAgent.runsOwnCommandLine(path, path, jar));
        String relative = dir.relativize(dir).toString(); // the same jar named another way
        assertTrue(IfpinAgent.runsOwnCommandLine(dir + "/./ifpin-agent.jar check x", dir + "/./ifpin-agent.jar", jar),
                relative);
        assertTrue(IfpinAgent.runsOwnCommandLine("io.ifpin.agent.IfpinAgent explain x y", "/a.jar:/b.jar", jar));
    }

    @Test
    void anApplicationIsNotIfpinsCommandLine() throws Exception {
        File jar = Files.createFile(dir.resolve("ifpin-agent.jar")).toFile();
        File app = Files.createFile(dir.resolve("app.jar")).toFile();
        assertFalse(IfpinAgent.runsOwnCommandLine(app.getPath() + " serve", app.getPath(), jar));
        assertFalse(IfpinAgent.runsOwnCommandLine("com.example.Main " + jar.getPath(), jar.getPath(), jar));
        assertFalse(IfpinAgent.runsOwnCommandLine("io.ifpin.agent.IfpinAgentX", "/a.jar", jar));
        assertFalse(IfpinAgent.runsOwnCommandLine(null, null, jar));
    }
}
