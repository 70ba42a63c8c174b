package flags

import (
	"io"
	"os"
	"strings"

	"github.com/go-logr/logr"
	"github.com/go-logr/zapr"
	"github.com/spf13/pflag"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Log encodings accepted by --log-encoding.
const (
	// LogEncodingJSON writes one JSON object per line. The default.
	LogEncodingJSON = "json"
	// LogEncodingConsole writes human-readable lines.
	LogEncodingConsole = "console"
)

// Log levels accepted by --log-level, from the quietest.
const (
	// LogLevelError logs errors only.
	LogLevelError = "error"
	// LogLevelInfo logs errors and info (logr V(0)). The default.
	LogLevelInfo = "info"
	// LogLevelDebug adds logr V(1).
	LogLevelDebug = "debug"
	// LogLevelTrace adds logr V(2).
	LogLevelTrace = "trace"
)

// zapLevel maps a LogLevel constant to zap's level; logr's V(n) is zap's -n.
func zapLevel(name string) (zapcore.Level, bool) {
	switch name {
	case LogLevelError:
		return zapcore.ErrorLevel, true
	case LogLevelInfo:
		return zapcore.InfoLevel, true
	case LogLevelDebug:
		return zapcore.DebugLevel, true
	case LogLevelTrace:
		return zapcore.Level(-2), true
	}
	return 0, false
}

// LogOptions configures the controller's logger.
type LogOptions struct {
	// Encoding is [LogEncodingJSON] or [LogEncodingConsole]. Default json.
	Encoding string
	// Level is one of the LogLevel constants. Default info.
	Level string
}

// BindFlags registers --log-encoding and --log-level on fs and sets the
// defaults. Parsing refuses other values with an [*InvalidValueError].
func (o *LogOptions) BindFlags(fs *pflag.FlagSet) {
	o.Encoding = LogEncodingJSON
	o.Level = LogLevelInfo
	fs.Var(&choiceValue{flag: "log-encoding", target: &o.Encoding, allowed: []string{LogEncodingJSON, LogEncodingConsole}},
		"log-encoding", "log encoding: json or console")
	fs.Var(&choiceValue{flag: "log-level", target: &o.Level, allowed: []string{LogLevelError, LogLevelInfo, LogLevelDebug, LogLevelTrace}},
		"log-level", "log verbosity: error, info, debug or trace")
}

// Logger returns a logr.Logger over zap writing to standard error. It
// returns an [*InvalidValueError] for a field set to an unknown value
// outside flag parsing; empty fields take the defaults.
func (o LogOptions) Logger() (logr.Logger, error) { return o.LoggerTo(os.Stderr) }

// LoggerTo is [LogOptions.Logger] writing to w.
func (o LogOptions) LoggerTo(w io.Writer) (logr.Logger, error) {
	encoding, levelName := o.Encoding, o.Level
	if encoding == "" {
		encoding = LogEncodingJSON
	}
	if levelName == "" {
		levelName = LogLevelInfo
	}
	level, ok := zapLevel(levelName)
	if !ok {
		return logr.Discard(), &InvalidValueError{Flag: "log-level", Value: levelName, Reason: "want error, info, debug or trace"}
	}
	ec := zap.NewProductionEncoderConfig()
	ec.EncodeTime = zapcore.ISO8601TimeEncoder
	var enc zapcore.Encoder
	switch encoding {
	case LogEncodingJSON:
		enc = zapcore.NewJSONEncoder(ec)
	case LogEncodingConsole:
		ec.EncodeLevel = zapcore.CapitalLevelEncoder
		enc = zapcore.NewConsoleEncoder(ec)
	default:
		return logr.Discard(), &InvalidValueError{Flag: "log-encoding", Value: encoding, Reason: "want json or console"}
	}
	core := zapcore.NewCore(enc, zapcore.AddSync(w), zap.NewAtomicLevelAt(level))
	return zapr.NewLogger(zap.New(core, zap.AddCaller())), nil
}

// choiceValue is a pflag.Value that accepts one of a fixed set of strings.
type choiceValue struct {
	flag    string
	target  *string
	allowed []string
}

func (v *choiceValue) String() string {
	if v.target == nil {
		return ""
	}
	return *v.target
}

func (v *choiceValue) Set(s string) error {
	for _, a := range v.allowed {
		if s == a {
			*v.target = s
			return nil
		}
	}
	return &InvalidValueError{Flag: v.flag, Value: s, Reason: "want one of " + strings.Join(v.allowed, ", ")}
}

func (v *choiceValue) Type() string { return "string" }
