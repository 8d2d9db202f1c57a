//! Arbitrary-precision decimal numbers.
//!
//! cty numbers are arbitrary precision and may arrive as msgpack integers,
//! floats or decimal strings. We keep the exact decimal value so that an ID-like
//! number or a large byte count never loses digits on a round trip.

use std::fmt;
use std::str::FromStr;

/// A decimal number with exact value: `(-1)^negative * digits * 10^exponent`.
///
/// The representation is normalised (no leading or trailing zeros in `digits`,
/// zero is `digits == ""`), so derived equality and hashing compare numeric
/// value: `1`, `1.0` and `10e-1` are equal.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Number {
    negative: bool,
    digits: String,
    exponent: i64,
}

/// The error for text that is not a finite decimal number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseNumberError(String);

impl fmt::Display for ParseNumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not a decimal number", self.0)
    }
}

impl std::error::Error for ParseNumberError {}

/// Beyond this many zeros, `Display` switches to exponent notation so that a
/// hostile `1e999999999` cannot make us allocate gigabytes.
const MAX_PLAIN_ZEROS: i64 = 64;

impl Number {
    pub fn zero() -> Self {
        Number {
            negative: false,
            digits: String::new(),
            exponent: 0,
        }
    }

    fn normalised(negative: bool, digits: &str, exponent: i64) -> Self {
        let trimmed_lead = digits.trim_start_matches('0');
        let trimmed = trimmed_lead.trim_end_matches('0');
        if trimmed.is_empty() {
            return Self::zero();
        }
        let removed_trailing = (trimmed_lead.len() - trimmed.len()) as i64;
        Number {
            negative,
            digits: trimmed.to_string(),
            exponent: exponent.saturating_add(removed_trailing),
        }
    }

    pub fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// Whether the value has no fractional part.
    pub fn is_integer(&self) -> bool {
        self.exponent >= 0 || self.is_zero()
    }

    /// The value as `i64`, if it is an integer in range.
    pub fn to_i64(&self) -> Option<i64> {
        if !self.is_integer() {
            return None;
        }
        if self.is_zero() {
            return Some(0);
        }
        if self.digits.len() as i64 + self.exponent > 19 {
            return None;
        }
        let text = self.plain_integer_digits();
        let magnitude: i128 = text.parse().ok()?;
        let signed = if self.negative { -magnitude } else { magnitude };
        i64::try_from(signed).ok()
    }

    /// The value as `u64`, if it is a non-negative integer in range.
    pub fn to_u64(&self) -> Option<u64> {
        if self.negative || !self.is_integer() {
            return None;
        }
        if self.is_zero() {
            return Some(0);
        }
        if self.digits.len() as i64 + self.exponent > 20 {
            return None;
        }
        self.plain_integer_digits().parse().ok()
    }

    /// The nearest `f64` (may lose precision).
    pub fn to_f64(&self) -> f64 {
        // Display output is always valid Rust float syntax.
        self.to_string().parse().unwrap_or(f64::NAN)
    }

    /// Builds a number from a finite float; `None` for NaN and infinities,
    /// which cty numbers cannot hold.
    pub fn from_f64(value: f64) -> Option<Self> {
        if !value.is_finite() {
            return None;
        }
        // `{:e}` prints the shortest text that reads back as the same f64.
        format!("{value:e}").parse().ok()
    }

    fn plain_integer_digits(&self) -> String {
        let mut text = self.digits.clone();
        for _ in 0..self.exponent {
            text.push('0');
        }
        text
    }
}

impl Default for Number {
    fn default() -> Self {
        Self::zero()
    }
}

impl FromStr for Number {
    type Err = ParseNumberError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = || ParseNumberError(text.chars().take(64).collect());
        let s = text.trim();
        let (negative, rest) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        let (mantissa, exp_text) = match rest.find(['e', 'E']) {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => (rest, None),
        };
        let (int_part, frac_part) = match mantissa.find('.') {
            Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
            None => (mantissa, ""),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(err());
        }
        if !int_part
            .bytes()
            .chain(frac_part.bytes())
            .all(|b| b.is_ascii_digit())
        {
            return Err(err());
        }
        let mut exponent: i64 = match exp_text {
            Some(e) => {
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(err());
                }
                e.parse().map_err(|_| err())?
            }
            None => 0,
        };
        exponent = exponent
            .checked_sub(frac_part.len() as i64)
            .ok_or_else(err)?;
        let mut digits = String::with_capacity(int_part.len() + frac_part.len());
        digits.push_str(int_part);
        digits.push_str(frac_part);
        Ok(Self::normalised(negative, &digits, exponent))
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_zero() {
            return f.write_str("0");
        }
        if self.negative {
            f.write_str("-")?;
        }
        let len = self.digits.len() as i64;
        if self.exponent >= 0 {
            if self.exponent > MAX_PLAIN_ZEROS {
                return write!(f, "{}e{}", self.digits, self.exponent);
            }
            f.write_str(&self.digits)?;
            for _ in 0..self.exponent {
                f.write_str("0")?;
            }
            return Ok(());
        }
        let point = len + self.exponent;
        if point > 0 {
            let (int, frac) = self.digits.split_at(point as usize);
            write!(f, "{int}.{frac}")
        } else if -point > MAX_PLAIN_ZEROS {
            write!(f, "{}e{}", self.digits, self.exponent)
        } else {
            f.write_str("0.")?;
            for _ in 0..-point {
                f.write_str("0")?;
            }
            f.write_str(&self.digits)
        }
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Number({self})")
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Number {
            fn from(value: $t) -> Self {
                let text = value.to_string();
                let (negative, digits) = match text.strip_prefix('-') {
                    Some(d) => (true, d.to_string()),
                    None => (false, text),
                };
                Number::normalised(negative, &digits, 0)
            }
        }
    )*};
}
from_int!(
    i8, i16, i32, i64, i128, u8, u16, u32, u64, u128, isize, usize
);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn n(s: &str) -> Number {
        s.parse().unwrap()
    }

    #[test]
    fn normalises_equal_values() {
        assert_eq!(n("1"), n("1.0"));
        assert_eq!(n("10e-1"), n("1"));
        assert_eq!(n("-0"), n("0"));
        assert_eq!(n("0.000"), Number::zero());
        assert_ne!(n("1"), n("-1"));
    }

    #[test]
    fn displays_plain_decimal() {
        assert_eq!(n("1.50").to_string(), "1.5");
        assert_eq!(n("1e3").to_string(), "1000");
        assert_eq!(n("-0.0012").to_string(), "-0.0012");
        assert_eq!(
            n("123456789012345678901234567890.000000000000000000001").to_string(),
            "123456789012345678901234567890.000000000000000000001"
        );
        assert_eq!(n("1e100").to_string(), "1e100");
        assert_eq!(n(&n("1e100").to_string()), n("1e100"));
    }

    #[test]
    fn integer_conversions() {
        assert_eq!(n("9223372036854775807").to_i64(), Some(i64::MAX));
        assert_eq!(n("-9223372036854775808").to_i64(), Some(i64::MIN));
        assert_eq!(n("9223372036854775808").to_i64(), None);
        assert_eq!(n("18446744073709551615").to_u64(), Some(u64::MAX));
        assert_eq!(n("1.5").to_i64(), None);
        assert_eq!(Number::from(-42i64), n("-42"));
    }

    #[test]
    fn float_conversions() {
        assert_eq!(Number::from_f64(0.1), Some(n("0.1")));
        assert_eq!(Number::from_f64(f64::NAN), None);
        assert_eq!(n("2.5").to_f64(), 2.5);
    }

    #[test]
    fn rejects_garbage() {
        for bad in ["", "-", ".", "1e", "abc", "1.2.3", "NaN", "inf", "1e+"] {
            assert!(bad.parse::<Number>().is_err(), "{bad}");
        }
    }
}
