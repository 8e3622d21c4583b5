namespace OneGo.Catalogue.Tests.Review;

/// <summary>The review state machine: every move from every state, and four eyes.</summary>
public class ReviewLifecycleTests
{
    private static ReviewSubject Subject(DraftState state, bool live = true, bool conflicts = false, ProposalKind proposal = ProposalKind.Change) =>
        new(state, proposal, live, conflicts, LastChangedBy: "editor-a", SubmittedBy: state == DraftState.Submitted ? "editor-a" : null);

    public static TheoryData<DraftState, ReviewAction, DraftState?> Moves => new()
    {
        // Editing: anything but a submitted draft becomes a draft.
        { DraftState.Draft, ReviewAction.Edit, DraftState.Draft },
        { DraftState.Rejected, ReviewAction.Edit, DraftState.Draft },
        { DraftState.Approved, ReviewAction.Edit, DraftState.Draft },
        { DraftState.Submitted, ReviewAction.Edit, null },
        // Submitting: a draft or a rejected draft.
        { DraftState.Draft, ReviewAction.Submit, DraftState.Submitted },
        { DraftState.Rejected, ReviewAction.Submit, DraftState.Submitted },
        { DraftState.Submitted, ReviewAction.Submit, null },
        { DraftState.Approved, ReviewAction.Submit, null },
        // Approving and rejecting: only what was submitted.
        { DraftState.Submitted, ReviewAction.Approve, DraftState.Approved },
        { DraftState.Draft, ReviewAction.Approve, null },
        { DraftState.Rejected, ReviewAction.Approve, null },
        { DraftState.Approved, ReviewAction.Approve, null },
        { DraftState.Submitted, ReviewAction.Reject, DraftState.Rejected },
        { DraftState.Draft, ReviewAction.Reject, null },
        { DraftState.Rejected, ReviewAction.Reject, null },
        { DraftState.Approved, ReviewAction.Reject, null },
        // Withdrawal: a live bundle with nothing pending.
        { DraftState.Approved, ReviewAction.ProposeWithdrawal, DraftState.Submitted },
        { DraftState.Draft, ReviewAction.ProposeWithdrawal, null },
        { DraftState.Rejected, ReviewAction.ProposeWithdrawal, null },
        { DraftState.Submitted, ReviewAction.ProposeWithdrawal, null },
    };

    [Theory]
    [MemberData(nameof(Moves))]
    public void EachMoveFromEachStateIsAllowedOrRefusedNamingTheState(DraftState from, ReviewAction action, DraftState? to)
    {
        var decision = ReviewLifecycle.Decide(Subject(from), action, "reviewer-b");
        Assert.Equal(to, decision.Next);
        if (to is null)
        {
            Assert.Equal(ReviewRefusalKind.IllegalTransition, decision.Refusal!.Kind);
        }
    }

    [Fact]
    public void TheLastEditorAndTheSubmitterCannotApproveButCanBeRefusedOnlyAfterTheStateAllowsIt()
    {
        var submitted = new ReviewSubject(DraftState.Submitted, ProposalKind.Change, true, false, LastChangedBy: "both-roles", SubmittedBy: "submitter");
        Assert.Equal(ReviewRefusalKind.FourEyes, ReviewLifecycle.Decide(submitted, ReviewAction.Approve, "both-roles").Refusal!.Kind);
        Assert.Equal(ReviewRefusalKind.FourEyes, ReviewLifecycle.Decide(submitted, ReviewAction.Approve, "submitter").Refusal!.Kind);
        Assert.True(ReviewLifecycle.Decide(submitted, ReviewAction.Approve, "someone-else").Allowed);
        // Rejecting one's own submission is allowed: it only sends the draft back.
        Assert.True(ReviewLifecycle.Decide(submitted, ReviewAction.Reject, "submitter").Allowed);
        // An illegal state wins over four eyes (409 before 403).
        var draft = submitted with { State = DraftState.Draft };
        Assert.Equal(ReviewRefusalKind.IllegalTransition, ReviewLifecycle.Decide(draft, ReviewAction.Approve, "both-roles").Refusal!.Kind);
    }

    [Fact]
    public void ASubmittedWithdrawalIsApprovedAsAWithdrawalAndRejectedBackToAWithdrawal()
    {
        var proposed = ReviewLifecycle.Decide(Subject(DraftState.Approved), ReviewAction.ProposeWithdrawal, "editor-a");
        Assert.Equal((DraftState.Submitted, ProposalKind.Withdrawal), (proposed.Next, proposed.Proposal));
        var waiting = Subject(DraftState.Submitted, proposal: ProposalKind.Withdrawal);
        Assert.Equal(ProposalKind.Withdrawal, ReviewLifecycle.Decide(waiting, ReviewAction.Reject, "reviewer-b").Proposal);
        // Editing a rejected withdrawal turns it back into a change.
        Assert.Equal(ProposalKind.Change, ReviewLifecycle.Decide(waiting with { State = DraftState.Rejected }, ReviewAction.Edit, "editor-a").Proposal);
        Assert.Equal(ReviewRefusalKind.IllegalTransition, ReviewLifecycle.Decide(Subject(DraftState.Approved, live: false), ReviewAction.ProposeWithdrawal, "editor-a").Refusal!.Kind);
    }

    [Fact]
    public void ADraftWithUnresolvedRebaseConflictsCannotBeSubmitted()
    {
        var decision = ReviewLifecycle.Decide(Subject(DraftState.Draft, conflicts: true), ReviewAction.Submit, "editor-a");
        Assert.Contains("conflicts", decision.Refusal!.Title, StringComparison.Ordinal);
    }

    [Fact]
    public void EditorsEditSubmitAndProposeWithdrawalsReviewersApproveAndReject()
    {
        Assert.Equal(["editor", "editor", "editor", "reviewer", "reviewer"],
            new[] { ReviewAction.Edit, ReviewAction.Submit, ReviewAction.ProposeWithdrawal, ReviewAction.Approve, ReviewAction.Reject }.Select(ReviewLifecycle.RoleFor));
    }
}
