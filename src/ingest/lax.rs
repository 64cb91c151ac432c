//! Lenient field types for Zoom JSON: the same field arrives as a string in one source and a
//! number in another (meeting ids, user types), and every field may be absent or null. These
//! borrow from the input where they can, so a million participant rows cost few allocations.

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// A text field; numbers and booleans are kept as their JSON text, null/absent is `None`.
#[derive(Debug, Default, Clone)]
pub struct S<'a>(pub Option<Cow<'a, str>>);

impl<'a> S<'a> {
    /// The value as an owned string (blank strings stay blank: Zoom blanks hidden PII).
    pub fn own(&self) -> Option<String> {
        self.0.as_ref().map(|c| c.to_string())
    }
    /// The value unless absent or blank.
    pub fn nonblank(&self) -> Option<&str> {
        self.0.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for S<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = S<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<S<'a>, E> {
                Ok(S(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<S<'a>, E> {
                Ok(S(Some(Cow::Owned(v.to_owned()))))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<S<'a>, E> {
                Ok(S(Some(Cow::Owned(v))))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<S<'a>, E> {
                Ok(S(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<S<'a>, E> {
                Ok(S(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<S<'a>, E> {
                Ok(S(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<S<'a>, E> {
                Ok(S(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_unit<E: de::Error>(self) -> Result<S<'a>, E> {
                Ok(S(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<S<'a>, E> {
                Ok(S(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<S<'a>, D::Error> {
                S::deserialize(d)
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// An integer field: JSON numbers, or strings of digits (spaces allowed: "982 610 0285").
#[derive(Debug, Default, Clone, Copy)]
pub struct N(pub Option<i64>);

/// Parse an integer written with optional spaces; blank or non-numeric gives `None`.
pub fn int_text(s: &str) -> Option<i64> {
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if t.is_empty() {
        return None;
    }
    t.parse::<i64>().ok().or_else(|| {
        t.parse::<f64>()
            .ok()
            .filter(|f| f.fract() == 0.0)
            .map(|f| f as i64)
    })
}

impl<'de> Deserialize<'de> for N {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = N;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an integer or a string of digits")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<N, E> {
                Ok(N(Some(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<N, E> {
                Ok(N(i64::try_from(v).ok()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<N, E> {
                Ok(N((v.fract() == 0.0).then_some(v as i64)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<N, E> {
                Ok(N(int_text(v)))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<N, E> {
                Ok(N(Some(i64::from(v))))
            }
            fn visit_unit<E: de::Error>(self) -> Result<N, E> {
                Ok(N(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<N, E> {
                Ok(N(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<N, D::Error> {
                N::deserialize(d)
            }
        }
        d.deserialize_any(V)
    }
}

/// A boolean field: JSON booleans, 0/1, or "true"/"false".
#[derive(Debug, Default, Clone, Copy)]
pub struct B(pub Option<bool>);

impl<'de> Deserialize<'de> for B {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = B;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a boolean")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<B, E> {
                Ok(B(Some(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<B, E> {
                Ok(B(Some(v != 0)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<B, E> {
                Ok(B(Some(v != 0)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<B, E> {
                Ok(B(match v.trim().to_ascii_lowercase().as_str() {
                    "true" | "1" | "yes" | "on" => Some(true),
                    "false" | "0" | "no" | "off" => Some(false),
                    _ => None,
                }))
            }
            fn visit_unit<E: de::Error>(self) -> Result<B, E> {
                Ok(B(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<B, E> {
                Ok(B(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<B, D::Error> {
                B::deserialize(d)
            }
        }
        d.deserialize_any(V)
    }
}

/// Normalise an optional time field: absent or blank is `Ok(None)`, unparsable is an error
/// naming the field (the record is then rejected rather than stored with a wrong time).
pub fn time_opt(field: &str, v: &S) -> Result<Option<String>, String> {
    match v.nonblank() {
        None => Ok(None),
        Some(t) => crate::model::time::norm_time(t)
            .map(Some)
            .ok_or_else(|| format!("{field}: unparsable time {t:?}")),
    }
}

/// A required time field.
pub fn time_req(field: &str, v: &S) -> Result<String, String> {
    time_opt(field, v)?.ok_or_else(|| format!("missing {field}"))
}

/// A required non-blank text field.
pub fn text_req(field: &str, v: &S) -> Result<String, String> {
    v.nonblank()
        .map(str::to_string)
        .ok_or_else(|| format!("missing {field}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Row<'a> {
        #[serde(borrow)]
        a: S<'a>,
        n: N,
        b: B,
    }

    #[test]
    fn lenient_types_accept_what_zoom_sends() {
        let r: Row =
            serde_json::from_str(r#"{"a":85746065432,"n":"982 610 0285","b":"true"}"#).unwrap();
        assert_eq!(r.a.get(), Some("85746065432"));
        assert_eq!(r.n.0, Some(9826100285));
        assert_eq!(r.b.0, Some(true));
        let r: Row = serde_json::from_str(r#"{"a":null,"n":null}"#).unwrap();
        assert!(r.a.0.is_none() && r.n.0.is_none() && r.b.0.is_none());
        let r: Row = serde_json::from_str(r#"{"a":"x\"y","n":12}"#).unwrap();
        assert_eq!(r.a.get(), Some("x\"y"));
    }

    #[test]
    fn times_are_checked() {
        assert_eq!(
            time_req("join_time", &S(Some("2024-06-10 06:13:20".into()))),
            Ok("2024-06-10T06:13:20Z".to_string())
        );
        assert!(
            time_req("join_time", &S(None))
                .unwrap_err()
                .contains("missing")
        );
        assert!(
            time_opt("leave_time", &S(Some("soon".into())))
                .unwrap_err()
                .contains("unparsable")
        );
    }
}
