//! RFC 5322 §3.3 dates: writing them from Unix time, and checking `Date` values.

use crate::sink::SliceSink;
use crate::Error;

pub(crate) fn write_date(_sink: &mut SliceSink<'_>, _secs: i64, _off: i32) -> Result<(), Error> {
    Err(Error::InvalidDate)
}
