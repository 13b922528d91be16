import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a program to completion with `posix_spawn` + `waitpid`, its output appended to a log file.
/// Foundation's `Process` hangs on `pg_ctl start`: the daemonised server inherits a pipe that
/// Process waits on. Here nothing is inherited but /dev/null and the log file.
public enum ProcessRunner {
    public struct Failure: Error, CustomStringConvertible {
        public let command: String
        public let status: Int32
        public let logFile: String

        public init(command: String, status: Int32, logFile: String) {
            self.command = command
            self.status = status
            self.logFile = logFile
        }
        public var description: String { "\(command) exited with status \(status); see \(logFile)" }
    }

    /// Runs `arguments[0]` (an absolute path) in `directory`, and returns its exit status.
    @discardableResult
    public static func run(_ arguments: [String], in directory: String = "/tmp", logFile: String) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logFile, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        // posix_spawn_file_actions_addchdir_np is not visible to Swift; coreutils' env changes
        // directory for us (PostgreSQL's tools fail when started in a folder they cannot read).
        let command = ["/usr/bin/env", "--chdir=\(directory)"] + arguments
        let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let environment = ["PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "LC_ALL=C", "LANG=C"]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer { for pointer in envp { free(pointer) } }

        var pid = pid_t()
        let spawned = posix_spawn(&pid, command[0], &actions, nil, argv, envp)
        guard spawned == 0 else {
            throw Failure(command: arguments.joined(separator: " "), status: -spawned, logFile: logFile)
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { break }
        }
        // WIFEXITED/WEXITSTATUS are macros Swift cannot import.
        let exited = status & 0x7f == 0
        return exited ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Like `run`, but throws unless the program exits with status 0.
    public static func check(_ arguments: [String], in directory: String = "/tmp", logFile: String) throws {
        let status = try run(arguments, in: directory, logFile: logFile)
        guard status == 0 else {
            throw Failure(command: arguments.joined(separator: " "), status: status, logFile: logFile)
        }
    }
}
