package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// errHelp ends a command that printed its help on request (-h): exit 0.
var errHelp = errors.New("help")

// A command is one command line of kofu (kofu migrate, kofu user list):
// its usage line, what it does, and how it runs. run registers its flags
// on fs and parses args with e.parse, so that -h shows exactly the flags
// the command takes.
type command struct {
	name     string // after "kofu ": "user list"
	synopsis string // after the name: "[オプション]", "FILE [オプション]"
	summary  string // one line: what it does
	run      func(e env, ctx context.Context, fs *flag.FlagSet, args []string) error
}

// exec runs c with a flag set whose -h prints c's help.
func (e env) exec(ctx context.Context, c command, args []string) error {
	fs := e.newFlags(c.name)
	fs.Usage = func() { c.usage(fs.Output(), fs) }
	return c.run(e, ctx, fs, args)
}

// usage prints the command's help in Japanese: the usage line, what it
// does and the flags it takes (none of any other command).
func (c command) usage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "使い方: kofu %s\n\n%s\n", strings.TrimSpace(c.name+" "+c.synopsis), c.summary)
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n == 0 {
		return
	}
	fmt.Fprintln(w, "\nオプション:")
	fs.VisitAll(func(f *flag.Flag) {
		arg, help := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if arg != "" {
			line += " " + valueName(f.Name, arg)
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			help += " (既定値: " + f.DefValue + ")"
		}
		if utf8.RuneCountInString(line) < 21 {
			fmt.Fprintf(w, "%-22s%s\n", line, help)
		} else {
			fmt.Fprintf(w, "%s\n%22s%s\n", line, "", help)
		}
	})
}

// valueName names a flag's value in the help: DB for --db, N for a
// number, FILE, DIR, ADDR or URL by the flag's last word, else VALUE.
func valueName(flagName, typeName string) string {
	if flagName == "db" {
		return "DB"
	}
	if typeName == "int" || typeName == "uint" {
		return "N"
	}
	last := flagName[strings.LastIndex(flagName, "-")+1:]
	switch last {
	case "file", "out", "head":
		return "FILE"
	case "dir", "addr", "url":
		return strings.ToUpper(last)
	}
	return "VALUE"
}

// parse parses a command's flags. -h, -help and --help print the help to
// stdout and end the command with exit code 0; a wrong flag or a stray
// argument is reported in Japanese with the help on stderr.
func (e env) parse(fs *flag.FlagSet, args []string) error {
	pos, err := e.parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return e.badUsage(fs, "余分な引数があります: "+strings.Join(pos, " "))
	}
	return nil
}

// parseArgs parses flags placed before or after the positional arguments
// (kofu import jlis FILE --dry-run) and returns the positionals.
func (e env) parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	out := fs.Output()
	defer fs.SetOutput(out)
	fs.SetOutput(io.Discard) // the flag package's own messages are in English
	var pos []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(e.stdout)
			fs.Usage()
			return nil, errHelp
		}
		if err != nil {
			return nil, e.badUsage(fs, flagError(err))
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// flagError says in Japanese what the flag package found wrong.
func flagError(err error) string {
	msg := err.Error()
	for en, ja := range map[string]string{
		"flag provided but not defined: ": "不明なオプションです: ",
		"flag needs an argument: ":        "オプションに値がありません: ",
		"bad flag syntax: ":               "オプションの書き方が正しくありません: ",
	} {
		if rest, ok := strings.CutPrefix(msg, en); ok {
			return ja + rest
		}
	}
	return "オプションの値が正しくありません: " + msg
}

// badUsage prints msg and the command's help to stderr.
func (e env) badUsage(fs *flag.FlagSet, msg string) error {
	fmt.Fprintf(e.stderr, "エラー: %s\n\n", msg)
	fs.SetOutput(e.stderr)
	fs.Usage()
	return errSilent
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help" || arg == "help"
}

// group runs the subcommand of `kofu <group>` that args name. Without
// one, or with -h, it lists the subcommands.
func (e env) group(ctx context.Context, group string, subs []command, args []string) error {
	if len(args) == 0 {
		fmt.Fprintf(e.stderr, "エラー: kofu %s のコマンドを指定してください\n\n", group)
		groupUsage(e.stderr, group, subs)
		return errSilent
	}
	if isHelp(args[0]) {
		groupUsage(e.stdout, group, subs)
		return errHelp
	}
	for _, c := range subs {
		if c.name == group+" "+args[0] {
			return e.exec(ctx, c, args[1:])
		}
	}
	fmt.Fprintf(e.stderr, "エラー: 不明なコマンドです: kofu %s %s\n\n", group, args[0])
	groupUsage(e.stderr, group, subs)
	return errSilent
}

func groupUsage(w io.Writer, group string, subs []command) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "使い方: kofu %s <コマンド> [オプション]\n\nコマンド:\n", group)
	for _, c := range subs {
		fmt.Fprintf(&b, "  %-16s%s\n", strings.TrimPrefix(c.name, group+" "), c.summary)
	}
	fmt.Fprintf(&b, "\nコマンドごとの説明とオプション: kofu %s <コマンド> -h\n", group)
	w.Write(b.Bytes())
}
