// Package flags binds a Sluice controller's command-line flags to option
// structs, so that main.go is wiring only. Each struct has a BindFlags
// method that registers its flags, with their documented defaults, on a
// pflag.FlagSet, and a method that turns the parsed values into what the
// controller needs: a logger, a rest.Config tweak, manager and cache
// options, a rate limiter, feature gates, and the options of packages
// runtime/acl, runtime/impersonation and runtime/events. The dependency
// goes one way: flags imports those packages to build their options, and
// they never import flags, so a library user needs no command line.
//
// The one pattern a newcomer needs:
//
//	var (
//		logOpts    flags.LogOptions
//		clientOpts flags.ClientOptions
//	)
//	fs := pflag.NewFlagSet("controller", pflag.ContinueOnError)
//	logOpts.BindFlags(fs)
//	clientOpts.BindFlags(fs)
//	if err := fs.Parse(os.Args[1:]); err != nil { ... }
//	if err := clientOpts.Validate(); err != nil { ... } // and every other struct's Validate
//	log, err := logOpts.Logger()
//
// BindFlags sets each field to its default, so a struct that is bound but
// not parsed holds the defaults.
//
// # Concurrency
//
// The structs are plain values: bind and parse them from one goroutine,
// then read them freely.
//
// # Errors
//
// Invalid values are refused when the flags are parsed, with an
// [*InvalidValueError] (matching [ErrInvalidValue]) reachable through
// errors.As from pflag's error; the Validate methods return the same type
// for combinations of flags, and [InsecureHTTPOptions.Validate] an
// [*InsecureHTTPError] for a plain-HTTP proxy in the environment. [*FeatureGateError] reports an unknown or
// malformed feature gate (matching [ErrUnknownFeatureGate] or
// [ErrInvalidValue]); [*InsecureHTTPError] matches [ErrInsecureHTTP] for a
// plain-HTTP URL or proxy that the insecure-HTTP policy blocks.
package flags
