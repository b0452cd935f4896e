//! The crate's own macro (`into_future!`) and input checks; ids and vendor enums come from
//! `opsbot_http::id_type!` and `opsbot_http::vendor_enum!`.

/// Implements `IntoFuture` for a request builder by boxing an async block.
macro_rules! into_future {
    ($ty:ident, $out:ty, |$this:ident| $body:expr) => {
        impl<'a> std::future::IntoFuture for $ty<'a> {
            type Output = $crate::Result<$out>;
            type IntoFuture = futures_util::future::BoxFuture<'a, $crate::Result<$out>>;

            fn into_future(self) -> Self::IntoFuture {
                let $this = self;
                Box::pin(async move { $body })
            }
        }
    };
}

pub(crate) use into_future;

/// Fails with `InvalidInput` when `value` has more than `max` characters.
pub(crate) fn check_len(field: &'static str, value: &str, max: usize) -> crate::Result<()> {
    let n = value.chars().count();
    if n > max {
        return Err(crate::Error::invalid(
            field,
            format!("{n} characters, at most {max} allowed"),
        ));
    }
    Ok(())
}

/// Like [`check_len`] for an optional value.
pub(crate) fn check_opt(
    field: &'static str,
    value: Option<&String>,
    max: usize,
) -> crate::Result<()> {
    value.map_or(Ok(()), |v| check_len(field, v, max))
}
