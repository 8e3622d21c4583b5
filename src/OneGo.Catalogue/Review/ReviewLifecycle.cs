namespace OneGo.Catalogue;

/// <summary>The state of a bundle's working copy.</summary>
public enum DraftState
{
    /// <summary>Being edited.</summary>
    Draft,

    /// <summary>Waiting for a reviewer; read-only.</summary>
    Submitted,

    /// <summary>Returned by a reviewer with a comment; editable again.</summary>
    Rejected,

    /// <summary>Nothing waits: the working copy is the latest approved version (or the bundle was withdrawn).</summary>
    Approved,
}

/// <summary>What a working copy asks the reviewer to approve.</summary>
public enum ProposalKind
{
    /// <summary>A new version with the working copy's content.</summary>
    Change,

    /// <summary>The live bundle stops being live; the national zone receives the withdrawal.</summary>
    Withdrawal,
}

/// <summary>The moves of review, each made by one role.</summary>
public enum ReviewAction
{
    /// <summary>An editor saves the working copy.</summary>
    Edit,

    /// <summary>An editor hands the working copy to review.</summary>
    Submit,

    /// <summary>An editor asks for the live bundle to be withdrawn; the request goes to review at once.</summary>
    ProposeWithdrawal,

    /// <summary>A reviewer approves what was submitted: a new version, or the withdrawal.</summary>
    Approve,

    /// <summary>A reviewer returns what was submitted, with a comment.</summary>
    Reject,
}

/// <summary>Where a working copy stands: its state, what it proposes, whether a version of it is live, and who did what last.</summary>
public sealed record ReviewSubject(DraftState State, ProposalKind Proposal, bool IsLive, bool HasConflicts, string? LastChangedBy, string? SubmittedBy);

/// <summary>The outcome of asking to make a move: the new state, or why not.</summary>
public sealed record ReviewDecision(DraftState? Next, ProposalKind Proposal, ReviewRefusal? Refusal)
{
    public bool Allowed => Refusal is null;
}

/// <summary>Why a move is refused: an illegal transition for the current state (409), or four eyes (403).</summary>
public sealed record ReviewRefusal(ReviewRefusalKind Kind, string Title, string Detail);

public enum ReviewRefusalKind
{
    /// <summary>The move is not one the working copy's state allows.</summary>
    IllegalTransition,

    /// <summary>The reviewer is the person who last changed or submitted what would be approved.</summary>
    FourEyes,
}

/// <summary>
/// The review lifecycle as an explicit state machine: which move each role may make from each state, and the
/// four-eyes rule. The server asks it before every transition, so the rules live in one place.
/// </summary>
public static class ReviewLifecycle
{
    /// <summary>The role that makes each move (editors change, reviewers approve or reject).</summary>
    public static string RoleFor(ReviewAction action) => action switch
    {
        ReviewAction.Edit or ReviewAction.Submit or ReviewAction.ProposeWithdrawal => "editor",
        _ => "reviewer",
    };

    /// <summary>
    /// Decides a move. <paramref name="actor"/> is who makes it; it matters only for approval, which nobody may
    /// give to a change they last made or submitted — even holding both roles.
    /// </summary>
    public static ReviewDecision Decide(ReviewSubject subject, ReviewAction action, string actor)
    {
        var state = subject.State;
        ReviewDecision Illegal(string title, string detail) =>
            new(null, subject.Proposal, new ReviewRefusal(ReviewRefusalKind.IllegalTransition, title, detail));
        ReviewDecision To(DraftState next, ProposalKind proposal) => new(next, proposal, null);

        switch (action)
        {
            case ReviewAction.Edit:
                return state == DraftState.Submitted
                    ? Illegal("The draft is waiting for review", "A submitted draft is read-only until a reviewer approves or rejects it.")
                    : To(DraftState.Draft, ProposalKind.Change);

            case ReviewAction.Submit:
                if (state == DraftState.Submitted)
                {
                    return Illegal("Already submitted", "The working copy is already waiting for review.");
                }

                if (state == DraftState.Approved)
                {
                    return Illegal("Nothing to submit", "The working copy is the approved version; change it first.");
                }

                if (subject.HasConflicts)
                {
                    return Illegal("Unresolved rebase conflicts", "A rebase set aside changes that no longer apply; look at each and save the draft before submitting.");
                }

                return To(DraftState.Submitted, subject.Proposal);

            case ReviewAction.ProposeWithdrawal:
                if (!subject.IsLive)
                {
                    return Illegal("Not live", "Only a live bundle can be withdrawn.");
                }

                // Pending edits would be lost behind a withdrawal: settle them first.
                return state == DraftState.Approved
                    ? To(DraftState.Submitted, ProposalKind.Withdrawal)
                    : Illegal("A change is pending", $"The working copy is {Name(state)}: submit it and have it approved or rejected, or save the approved content back, before asking to withdraw the bundle.");

            case ReviewAction.Approve:
            case ReviewAction.Reject:
                if (state != DraftState.Submitted)
                {
                    return Illegal(action == ReviewAction.Approve ? "Nothing to approve" : "Nothing to reject",
                        $"Only a submitted working copy can be {(action == ReviewAction.Approve ? "approved" : "rejected")}; this one is {Name(state)}.");
                }

                if (action == ReviewAction.Approve && (actor == subject.LastChangedBy || actor == subject.SubmittedBy))
                {
                    return new(null, subject.Proposal, new ReviewRefusal(ReviewRefusalKind.FourEyes, "Four eyes",
                        $"{actor} {(actor == subject.LastChangedBy ? "last changed" : "submitted")} this working copy, so another reviewer must approve it."));
                }

                return action == ReviewAction.Approve
                    ? To(DraftState.Approved, ProposalKind.Change)
                    : To(DraftState.Rejected, subject.Proposal);

            default:
                throw new ArgumentOutOfRangeException(nameof(action), action, null);
        }
    }

    /// <summary>The state as the API writes it.</summary>
    public static string Name(DraftState state) => state switch
    {
        DraftState.Draft => "draft",
        DraftState.Submitted => "submitted",
        DraftState.Rejected => "rejected",
        _ => "approved",
    };
}
