"""The simulation: customers as arrays, staff as Mesa agents, one hour per step."""

from scrm_sim.model.agents import Customer, Role, StaffMember
from scrm_sim.model.customers import ALLOWED_TRANSITIONS, Stage
from scrm_sim.model.model import SCRMModel
from scrm_sim.model.posts import PostStatus

__all__ = ["ALLOWED_TRANSITIONS", "Customer", "PostStatus", "Role", "SCRMModel", "StaffMember", "Stage"]
