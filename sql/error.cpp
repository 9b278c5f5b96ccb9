// SQLSTATE codes and Status mapping of SqlError (error.h).
#include "sql/error.h"

#include "core/assert.h"

namespace orrery::sql {

std::string_view SqlState(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::kSyntax: return "42601";
        case ErrorKind::kUndefinedTable: return "42P01";
        case ErrorKind::kUndefinedColumn: return "42703";
        case ErrorKind::kUndefinedObject: return "42704";
        case ErrorKind::kUndefinedFunction: return "42883";
        case ErrorKind::kDuplicateTable: return "42P07";
        case ErrorKind::kDuplicateColumn: return "42701";
        case ErrorKind::kDuplicateObject: return "42710";
        case ErrorKind::kAmbiguousColumn: return "42702";
        case ErrorKind::kInvalidColumnReference: return "42P10";
        case ErrorKind::kGrouping: return "42803";
        case ErrorKind::kDatatypeMismatch: return "42804";
        case ErrorKind::kInvalidParameter: return "42P02";
        case ErrorKind::kUniqueViolation: return "23505";
        case ErrorKind::kForeignKeyViolation: return "23503";
        case ErrorKind::kNotNullViolation: return "23502";
        case ErrorKind::kCheckViolation: return "23514";
        case ErrorKind::kDivisionByZero: return "22012";
        case ErrorKind::kNumericOutOfRange: return "22003";
        case ErrorKind::kInvalidText: return "22P02";
        case ErrorKind::kStringTooLong: return "22001";
        case ErrorKind::kCardinality: return "21000";
        case ErrorKind::kSerializationFailure: return "40001";
        case ErrorKind::kInFailedTransaction: return "25P02";
        case ErrorKind::kActiveTransaction: return "25001";
        case ErrorKind::kReadOnlyTransaction: return "25006";
        case ErrorKind::kNoActiveTransaction: return "25P01";
        case ErrorKind::kFeatureNotSupported: return "0A000";
        case ErrorKind::kProgramLimitExceeded: return "54000";
        case ErrorKind::kQueryCanceled: return "57014";
        case ErrorKind::kUnavailable: return "57P03";
        case ErrorKind::kUnknownOutcome: return "08007";
        case ErrorKind::kInternal: return "XX000";
        case ErrorKind::kDependentObjects: return "2BP01";
        case ErrorKind::kInvalidTableDefinition: return "42P16";
        case ErrorKind::kInvalidForeignKey: return "42830";
        case ErrorKind::kInvalidLimit: return "2201W";
        case ErrorKind::kInvalidOffset: return "2201X";
        case ErrorKind::kDuplicateAlias: return "42712";
    }
    ORRERY_ASSERT(false, "unknown ErrorKind {}", static_cast<int>(kind));
    return "";
}

Code StatusCodeOf(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::kSerializationFailure: return Code::kAborted;
        case ErrorKind::kUnavailable: return Code::kUnavailable;
        case ErrorKind::kUnknownOutcome: return Code::kTimeout;
        case ErrorKind::kInternal: return Code::kIOError;
        default: return Code::kInvalidArgument;
    }
}

SqlError ErrorFromStatus(const Status& status) {
    ORRERY_ASSERT(!status.ok(), "ErrorFromStatus needs an error");
    switch (status.code()) {
        case Code::kAborted:
            return {ErrorKind::kSerializationFailure, status.message(), std::nullopt};
        case Code::kTimeout:
            return {ErrorKind::kUnknownOutcome, status.message(), std::nullopt};
        case Code::kNotLeader:
        case Code::kUnavailable:
        case Code::kBusy:
            return {ErrorKind::kUnavailable, status.message(), std::nullopt};
        case Code::kInvalidArgument:
            return {ErrorKind::kProgramLimitExceeded, status.message(), std::nullopt};
        default:
            return {ErrorKind::kInternal, status.ToString(), std::nullopt};
    }
}

}  // namespace orrery::sql
