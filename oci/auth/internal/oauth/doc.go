// Package oauth holds the HTTP calls Sluice's cloud registry logins share:
// posting a form or JSON to a token endpoint, reading its JSON answer or
// its error without echoing the body, and reading a JWT's expiry.
package oauth
